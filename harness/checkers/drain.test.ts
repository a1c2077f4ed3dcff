import { describe, expect, it } from 'vitest';
import { clientErrorsResolved, drainedInTime, inFlightFinished } from './drain.ts';
import { op } from './test-fixtures.ts';

describe('inFlightFinished', () => {
  it('holds when the worker that held each job finished it', () => {
    const job = { finishedOn: 5, processedBy: 'h:1', stalledCounter: 0 };
    expect(inFlightFinished([{ id: 'j1', heldBy: 'h:1', job }])).toMatchObject({ valid: true });
  });

  it('flags a job taken over as stalled, one never finished and one gone', () => {
    const result = inFlightFinished([
      { id: 'j1', heldBy: 'h:1', job: { finishedOn: 9, processedBy: 'h:2', stalledCounter: 1 } },
      { id: 'j2', heldBy: 'h:1', job: { processedBy: 'h:1', stalledCounter: 0 } },
      { id: 'j3', heldBy: 'h:1', job: null },
    ]);
    expect(result).toMatchObject({ valid: false, errorCount: 3, figures: { takenOver: 1 } });
    expect(result.first).toMatchObject({ kind: 'taken-over', jobId: 'j1' });
  });
});

describe('clientErrorsResolved', () => {
  const payout = (key: string, type: 'ok' | 'info' | 'fail', f = 'payout') =>
    op(f, { type, request: { idempotencyKey: key } });

  it('holds when every key that saw an error ended with a definite answer', () => {
    const ops = [payout('k1', 'info'), payout('k1', 'ok', 'replay'), payout('k2', 'ok')];
    expect(clientErrorsResolved(ops)).toMatchObject({ valid: true, figures: { keys: 2, keysWithErrors: 1 } });
  });

  it('flags a key whose last answer was still an error', () => {
    const ops = [payout('k1', 'info'), payout('k1', 'fail', 'replay')];
    expect(clientErrorsResolved(ops)).toMatchObject({ valid: false, first: { key: 'k1', attempts: 2 } });
  });
});

describe('drainedInTime', () => {
  it('holds when every process exited with 0, and flags one SIGKILLed after the limit', () => {
    const clean = { process: 'api', drainMs: 700, code: 0, signal: null };
    expect(drainedInTime([clean], 30_000).valid).toBe(true);
    const killed = { process: 'api-2', drainMs: 30_000, code: null, signal: 'SIGKILL' };
    expect(drainedInTime([clean, killed], 30_000)).toMatchObject({
      valid: false,
      errorCount: 1,
      first: killed,
    });
  });
});
