import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { configSchema } from '../service/config.ts';
import { CONFIG_PAGE, configReference, withoutTablePadding } from './config-reference.ts';

describe('the configuration reference', () => {
  it(`${CONFIG_PAGE} is what \`npm run docs\` generates from the schema (run it after changing a variable)`, () => {
    const onDisk = readFileSync(join(import.meta.dirname, '..', CONFIG_PAGE), 'utf8');
    expect(withoutTablePadding(onDisk)).toBe(withoutTablePadding(configReference()));
  });

  it('every variable has a description, and the page lists each once', () => {
    const page = configReference();
    for (const name of Object.keys(configSchema.shape)) {
      expect(
        z.globalRegistry.get(configSchema.shape[name as keyof typeof configSchema.shape])?.description,
        name,
      ).toBeTruthy();
      expect(
        page.split('\n').filter((l) => l.startsWith(`| \`${name}\` |`)),
        name,
      ).toHaveLength(1);
    }
  });

  it('shows defaults, ranges and choices as the schema holds them', () => {
    const page = configReference();
    expect(page).toMatch(/^\| `PORT` \| `3000` \| integer 0–65535 \| /m);
    expect(page).toMatch(/^\| `LOG_LEVEL` \| `info` \| `trace`, `debug`, `info`, .*`silent` \| /m);
    expect(page).toMatch(/^\| `OPS_TOKEN` \| unset \| at least 16 characters \| /m);
    expect(page).toMatch(/^\| `RATE_LIMIT_BALANCE` \| `10\/1000` \| /m);
    expect(page).toMatch(/^\| `PAYOUT_COALESCE` \| `on` \| `on`, `off` \| /m);
  });
});
