import { describe, expect, it } from 'vitest';
import { parseOptions, UsageError } from './options.ts';

describe('bench options', () => {
  it('refuses --target, saying why the bench runs natively only', () => {
    expect(() => parseOptions(['--target', '.faultline/target.json'])).toThrow(UsageError);
    expect(() => parseOptions(['--target', 'x'])).toThrow(/against pgbench on the same PostgreSQL/);
  });

  it('takes the quick defaults', () => {
    expect(parseOptions(['--quick'])).toMatchObject({ quick: true, rounds: 1, durationS: 2 });
  });
});
