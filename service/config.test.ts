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

  it('keeps the bounds nested: a lock wait inside the deadline and the statement, a statement inside its answer', () => {
    const defaults = loadConfig({});
    expect(defaults.LOCK_TIMEOUT_MS).toBeLessThanOrEqual(defaults.PAYOUT_DEADLINE_MS);
    expect(defaults.LOCK_TIMEOUT_MS).toBeLessThan(defaults.DATABASE_STATEMENT_TIMEOUT_MS);
    expect(defaults.DATABASE_STATEMENT_TIMEOUT_MS).toBeLessThan(defaults.DATABASE_QUERY_TIMEOUT_MS);
    expect(() => loadConfig({ LOCK_TIMEOUT_MS: '6000' })).toThrow(
      /PAYOUT_DEADLINE_MS: must be at least LOCK_TIMEOUT_MS \(6000\)\n {2}DATABASE_STATEMENT_TIMEOUT_MS: must exceed LOCK_TIMEOUT_MS \(6000\)/,
    );
    expect(() => loadConfig({ DATABASE_QUERY_TIMEOUT_MS: '5000' })).toThrow(
      /DATABASE_QUERY_TIMEOUT_MS: must exceed DATABASE_STATEMENT_TIMEOUT_MS \(5000\)/,
    );
    const raised = { LOCK_TIMEOUT_MS: '30000', PAYOUT_DEADLINE_MS: '30000' };
    expect(
      loadConfig({ ...raised, DATABASE_STATEMENT_TIMEOUT_MS: '35000', DATABASE_QUERY_TIMEOUT_MS: '40000' })
        .LOCK_TIMEOUT_MS,
    ).toBe(30_000);
  });
});
