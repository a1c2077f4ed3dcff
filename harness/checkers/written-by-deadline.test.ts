import { describe, expect, it } from 'vitest';
import { op } from './test-fixtures.ts';
import { writtenByDeadline } from './written-by-deadline.ts';

const START = 1_700_000_000_000;
const opts = { deadlineMs: 5_000, slackMs: 500, runStartedAt: START };
const payout = (key: string, at: number, type: 'ok' | 'fail' | 'info' = 'ok') =>
  op('payout', { type, at, until: at + 100, request: { accountId: 'a', idempotencyKey: key } });

describe('writtenByDeadline', () => {
  it('accepts payouts written within their deadline of the last request with their key', () => {
    const ops = [payout('k1', 1_000), payout('k2', 2_000, 'info'), payout('k2', 9_000, 'ok')];
    const written = [
      { accountId: 'a', key: 'k1', writtenAt: START + 1_050 },
      { accountId: 'a', key: 'k2', writtenAt: START + 9_020 }, // the retry's deadline counts
      { accountId: 'b', key: 'k1', writtenAt: START + 60_000 }, // another user's key: not this history's
    ];
    const result = writtenByDeadline(ops, written, opts);
    expect(result).toMatchObject({ name: 'written-by-deadline', valid: true, errorCount: 0 });
    expect(result.figures).toEqual({ written: 2, written_after_ms_max: 50 });
  });

  it('flags a payout written after its deadline, as a backlog run once the database is back would be', () => {
    const ops = [payout('k1', 1_000, 'info'), payout('k2', 1_200, 'info'), payout('k3', 1_400)];
    const written = [
      { accountId: 'a', key: 'k1', writtenAt: START + 12_000 },
      { accountId: 'a', key: 'k2', writtenAt: START + 13_200 },
      { accountId: 'a', key: 'k3', writtenAt: START + 1_500 },
    ];
    const result = writtenByDeadline(ops, written, opts);
    expect(result).toMatchObject({ valid: false, errorCount: 2 });
    expect(result.first).toEqual({ idempotencyKey: 'k1', writtenAfterMs: 11_000, deadlineMs: 5_000 });
    expect(result.worst).toMatchObject({ idempotencyKey: 'k2', writtenAfterMs: 12_000 });
  });

  it('fails when nothing of the history was written (nothing to judge)', () => {
    expect(writtenByDeadline([payout('k1', 0, 'fail')], [], opts)).toMatchObject({
      valid: false,
      errorCount: 1,
    });
  });
});
