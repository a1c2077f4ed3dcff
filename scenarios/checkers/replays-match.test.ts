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
const inFlight = { status: 409, body: { code: 'idempotency_key_in_flight' } };

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
      replay('k4', { status: 422, body: { code: 'insufficient_funds' } }),
      payout('k5', { type: 'fail' }),
      replay('k5', inFlight),
      replay('k6', { type: 'info' }),
    ];
    const result = replaysMatch(ops);
    expect(result).toMatchObject({ name: 'replays-match', valid: true, errorCount: 0 });
    expect(result.figures).toEqual({
      replays: 6,
      compared: 1,
      mismatched: 0,
      inFlightAccepted: 2,
      orphans: 1,
    });
  });

  it('flags a replay whose status or body differs from the original', () => {
    const ops = [
      payout('k1'),
      replay('k1', { body: { id: 't-other' } }),
      payout('k2', { status: 422, body: { code: 'insufficient_funds' } }),
      replay('k2'),
    ];
    const result = replaysMatch(ops);
    expect(result).toMatchObject({ valid: false, errorCount: 2, figures: { compared: 2, mismatched: 2 } });
    expect(result.first).toEqual({
      kind: 'mismatch',
      idempotencyKey: 'k1',
      original: { status: 201, body: { id: 't-k1' } },
      replay: { status: 201, body: { id: 't-other' } },
    });
    expect(result.last).toMatchObject({ kind: 'mismatch', idempotencyKey: 'k2', replay: { status: 201 } });
  });

  it('flags an in-flight answer after the original had completed', () => {
    const result = replaysMatch([
      payout('k1', { at: 0, until: 10 }),
      replay('k1', { ...inFlight, at: 15, until: 16 }),
    ]);
    expect(result).toMatchObject({ valid: false, errorCount: 1, figures: { inFlightAccepted: 0 } });
    expect(result.first).toEqual({
      kind: 'in-flight-after-completion',
      idempotencyKey: 'k1',
      originalCompletedAt: 10,
      replayInvokedAt: 15,
    });
  });
});
