import { describe, expect, it } from 'vitest';
import { replaysMatch } from './replays-match.ts';
import { op } from './test-fixtures.ts';

type Opts = Parameters<typeof op>[1];
const payout = (key: string, opts: Opts = {}) =>
  op('payout', {
    request: { idempotencyKey: key, amount: 5 },
    status: 201,
    body: { id: `t-${key}` },
    ...opts,
  });
const replay = (key: string, opts: Opts = {}) =>
  op('replay', {
    request: { idempotencyKey: key, amount: 5 },
    status: 201,
    body: { id: `t-${key}` },
    ...opts,
  });
const inFlight = { type: 'fail' as const, status: 409, body: { code: 'idempotency_key_in_flight' } };
const refused = { type: 'fail' as const, status: 422, body: { code: 'insufficient_funds' } };

describe('replaysMatch', () => {
  it('accepts identical replays, and in-flight answers while the original may still run', () => {
    const ops = [
      payout('k1', { at: 0, until: 10 }),
      replay('k1', { at: 20, until: 21 }),
      payout('k2', { type: 'info', at: 0 }), // unknown: a 409 is fine
      replay('k2', { ...inFlight, at: 30, until: 31 }),
      payout('k3', { at: 0, until: 50 }), // still running when the replay was sent
      replay('k3', { ...inFlight, at: 10, until: 11 }),
      payout('k4', { type: 'info' }), // unknown original: a different answer is not compared
      replay('k4', refused),
      payout('k5', { type: 'fail', status: 503, body: { code: 'lock_timeout' } }), // nothing stored
      replay('k5', { at: 5 }),
      replay('k6', { type: 'info' }),
      payout('k7', { ...refused, at: 0, until: 10 }), // a stored refusal, replayed as stored
      replay('k7', { ...refused, at: 20, until: 21 }),
    ];
    const result = replaysMatch(ops);
    expect(result).toMatchObject({ name: 'replays-match', valid: true, errorCount: 0 });
    expect(result.figures).toEqual({
      replays: 7,
      compared: 2,
      mismatched: 0,
      in_flight_accepted: 2,
      orphans: 1,
    });
  });

  it('accepts an in-flight answer while another replay with the key is running', () => {
    const result = replaysMatch([
      payout('k1', { ...refused, at: 0, until: 5 }),
      replay('k1', { ...refused, at: 10, until: 40 }),
      replay('k1', { ...inFlight, at: 20, until: 21 }),
    ]);
    expect(result).toMatchObject({ valid: true, figures: { compared: 1, in_flight_accepted: 1 } });
  });

  it('flags a replay whose status or body differs from the original', () => {
    const ops = [
      payout('k1'),
      replay('k1', { body: { id: 't-other' } }),
      payout('k2', refused),
      replay('k2'),
      payout('k3'),
      replay('k3', refused), // the key was ignored: a second debit was tried and refused
    ];
    const result = replaysMatch(ops);
    expect(result).toMatchObject({ valid: false, errorCount: 3, figures: { compared: 3, mismatched: 3 } });
    expect(result.first).toEqual({
      kind: 'mismatch',
      idempotencyKey: 'k1',
      original: { status: 201, body: { id: 't-k1' } },
      replay: { status: 201, body: { id: 't-other' } },
    });
    expect(result.last).toMatchObject({ kind: 'mismatch', idempotencyKey: 'k3', replay: { status: 422 } });
  });

  it('flags an in-flight answer after the original had completed', () => {
    const result = replaysMatch([
      payout('k1', { at: 0, until: 10 }),
      replay('k1', { ...inFlight, at: 15, until: 16 }),
    ]);
    expect(result).toMatchObject({ valid: false, errorCount: 1, figures: { in_flight_accepted: 0 } });
    expect(result.first).toEqual({
      kind: 'in-flight-after-completion',
      idempotencyKey: 'k1',
      originalCompletedAt: 10,
      replayInvokedAt: 15,
    });
  });
});
