import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('defaults to the correct service: no sabotage unless named', () => {
    expect(loadConfig({}).SABOTAGE.size).toBe(0);
    expect([...loadConfig({ SABOTAGE: 'no-row-lock, bank-no-key' }).SABOTAGE]).toEqual([
      'no-row-lock',
      'bank-no-key',
    ]);
  });

  it('names the variable and the allowed values when a value is bad', () => {
    expect(() => loadConfig({ SABOTAGE: 'no-locks' })).toThrow(
      /SABOTAGE: unknown sabotage "no-locks"; known: no-row-lock/,
    );
    expect(() => loadConfig({ WORKER_CONCURRENCY: '0' })).toThrow(/WORKER_CONCURRENCY/);
    expect(() => loadConfig({ DATABASE_URL: 'not a url' })).toThrow(/DATABASE_URL/);
  });
});
