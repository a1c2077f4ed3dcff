import { describe, expect, it } from 'vitest';
import type { TransferStatus } from './final-state.ts';
import {
  healthyLatencyBounded,
  type PoisonSnapshot,
  poisonDeadLettered,
  replaySettledOnce,
} from './poison.ts';
import { finalState, transfer } from './test-fixtures.ts';

const poison = [
  { id: 'd1', kind: 'declined' as const },
  { id: 'c1', kind: 'corrupt' as const },
];
const snapshot = (over: Partial<PoisonSnapshot> = {}): PoisonSnapshot => ({
  poison,
  letters: new Map([
    ['d1', 1],
    ['c1', 3],
  ]),
  statuses: new Map<string, TransferStatus>([
    ['d1', 'FAILED'],
    ['c1', 'PROCESSING'],
  ]),
  charged: new Set(),
  attempts: 3,
  ...over,
});

describe('poisonDeadLettered', () => {
  it('holds when declined ones failed at once and corrupt ones were held after every attempt', () => {
    expect(poisonDeadLettered(snapshot())).toMatchObject({
      valid: true,
      figures: { poison: 2, deadLettered: 2 },
    });
  });

  it('flags a job never dead-lettered, one given up early, a corrupt one closed and a charged one', () => {
    const result = poisonDeadLettered(
      snapshot({
        letters: new Map([['c1', 1]]),
        statuses: new Map<string, TransferStatus>([
          ['d1', 'PROCESSING'],
          ['c1', 'FAILED'],
        ]),
        charged: new Set(['c1']),
      }),
    );
    expect(result).toMatchObject({ valid: false, errorCount: 5 });
    expect(result.first).toMatchObject({ kind: 'not-dead-lettered', transferId: 'd1' });
    expect(result.last).toMatchObject({ kind: 'charged', transferId: 'c1' });
  });
});

describe('healthyLatencyBounded', () => {
  it('holds within factor × baseline + slack, fails above it', () => {
    expect(healthyLatencyBounded({ p99Ms: 700, baselineP99Ms: 200, factor: 2, slackMs: 300 }).valid).toBe(
      true,
    );
    expect(healthyLatencyBounded({ p99Ms: 701, baselineP99Ms: 200, factor: 2, slackMs: 300 })).toMatchObject({
      valid: false,
      first: { boundMs: 700 },
    });
  });
});

describe('replaySettledOnce', () => {
  it('holds when the corrupt ones settled, the declined stayed FAILED and no letter is left', () => {
    const state = finalState({
      transfers: [transfer('d1', 'a', 1, 'FAILED'), transfer('c1', 'a', 1, 'SETTLED')],
    });
    expect(replaySettledOnce(poison, state, new Set())).toMatchObject({
      valid: true,
      figures: { replaySettled: 1 },
    });
  });

  it('flags a replay that did not settle and a letter left behind', () => {
    const state = finalState({
      transfers: [transfer('d1', 'a', 1, 'FAILED'), transfer('c1', 'a', 1, 'PROCESSING')],
    });
    const result = replaySettledOnce(poison, state, new Set(['c1']));
    expect(result).toMatchObject({ valid: false, errorCount: 2, first: { kind: 'replay-not-settled' } });
  });
});
