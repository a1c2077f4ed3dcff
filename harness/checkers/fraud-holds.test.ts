import { describe, expect, it } from 'vitest';
import {
  type HoldRecord,
  heldNeverPaid,
  holdsAsExpected,
  legitNotDelayed,
  reviewsResolved,
} from './fraud-holds.ts';
import { charge, finalState, op, transfer } from './test-fixtures.ts';

const payout = (id: string, accountId: string, status: 'PENDING' | 'MANUAL_REVIEW', at = 0, until = at + 5) =>
  op('payout', { request: { accountId, amount: 100 }, status: 201, body: { id, status }, at, until });
const holds = (entries: Array<[string, string, HoldRecord['decision']]>) =>
  new Map(entries.map(([id, reason, decision]) => [id, { reason, decision }]));

describe('holds-as-expected', () => {
  const expected = [
    { accountId: 'fraud', held: 2, reason: 'velocity_count' },
    { accountId: 'legit', held: 0, reason: null },
  ];
  it('passes when each account had exactly its holds, by its rule', () => {
    const ops = [
      payout('t1', 'fraud', 'PENDING'),
      payout('t2', 'fraud', 'MANUAL_REVIEW'),
      payout('t3', 'fraud', 'MANUAL_REVIEW'),
      payout('t4', 'legit', 'PENDING'),
    ];
    const r = holdsAsExpected(
      expected,
      ops,
      holds([
        ['t2', 'velocity_count', null],
        ['t3', 'velocity_count', null],
      ]),
    );
    expect(r).toMatchObject({ valid: true, figures: { held: 2, expectedHeld: 2 } });
  });
  it('fails on a burst that got through, a legit payout held, or the wrong rule', () => {
    const ops = [
      payout('t1', 'fraud', 'PENDING'),
      payout('t2', 'fraud', 'MANUAL_REVIEW'),
      payout('t4', 'legit', 'MANUAL_REVIEW'),
    ];
    const r = holdsAsExpected(
      expected,
      ops,
      holds([
        ['t2', 'amount_anomaly', null],
        ['t4', 'velocity_count', null],
      ]),
    );
    expect(r.valid).toBe(false);
    expect(r.errorCount).toBe(4);
    expect(r.first).toMatchObject({ kind: 'held-count', accountId: 'fraud', expected: 2, held: 1 });
  });
});

describe('held-never-paid', () => {
  const ops = [payout('t1', 'a', 'MANUAL_REVIEW'), payout('t2', 'a', 'PENDING')];
  it('passes while the held payout waits in review with no charge', () => {
    const state = finalState({
      transfers: [transfer('t1', 'a', 100, 'MANUAL_REVIEW'), transfer('t2', 'a', 100, 'SETTLED')],
      charges: [charge('t2', 100)],
    });
    expect(heldNeverPaid(ops, state, holds([['t1', 'velocity_count', null]]))).toMatchObject({
      valid: true,
      figures: { held: 1, held_reached_bank: 0 },
    });
  });
  it('fails when a held payout reached the bank, even declined, or left review', () => {
    const state = finalState({
      transfers: [transfer('t1', 'a', 100, 'SETTLED')],
      charges: [charge('t1', 100, { status: 'declined' })],
    });
    const r = heldNeverPaid(ops, state, holds([['t1', 'velocity_count', null]]));
    expect(r).toMatchObject({ valid: false, errorCount: 2, figures: { held_reached_bank: 1 } });
    expect(r.worst).toMatchObject({ kind: 'reached-bank', transferId: 't1' });
  });
});

describe('legit-not-delayed', () => {
  it('passes when every legit payout was answered PENDING and settled, and reports the p99', () => {
    const ops = [
      payout('t1', 'l', 'PENDING', 0, 10),
      payout('t2', 'l', 'PENDING', 0, 30),
      payout('t3', 'x', 'MANUAL_REVIEW'),
    ];
    const state = finalState({
      transfers: [transfer('t1', 'l', 100, 'SETTLED'), transfer('t2', 'l', 100, 'SETTLED')],
    });
    expect(legitNotDelayed(new Set(['l']), ops, state)).toMatchObject({
      valid: true,
      figures: { legit_payouts: 2, legit_latency_ms_p99: 30 },
    });
  });
  it('fails when a legit payout was held, refused, or never settled', () => {
    const ops = [
      payout('t1', 'l', 'MANUAL_REVIEW'),
      payout('t2', 'l', 'PENDING'),
      op('payout', { type: 'fail', request: { accountId: 'l' } }),
    ];
    const state = finalState({
      transfers: [transfer('t1', 'l', 100, 'MANUAL_REVIEW'), transfer('t2', 'l', 100, 'PENDING')],
    });
    expect(legitNotDelayed(new Set(['l']), ops, state)).toMatchObject({ valid: false, errorCount: 3 });
  });
});

describe('reviews-resolved', () => {
  it('passes when the released one settled once and the refused one failed uncharged', () => {
    const state = finalState({
      transfers: [transfer('r', 'a', 100, 'SETTLED'), transfer('x', 'a', 100, 'FAILED')],
      charges: [charge('r', 100)],
    });
    expect(
      reviewsResolved(
        holds([
          ['r', 'velocity_count', 'released'],
          ['x', 'velocity_count', 'refused'],
        ]),
        state,
      ),
    ).toMatchObject({
      valid: true,
      figures: { released: 1, refused: 1 },
    });
  });
  it('fails on a release charged twice, a refusal charged, or a hold left undecided', () => {
    const state = finalState({
      transfers: [
        transfer('r', 'a', 100, 'SETTLED'),
        transfer('x', 'a', 100, 'FAILED'),
        transfer('u', 'a', 100, 'MANUAL_REVIEW'),
      ],
      charges: [charge('r', 100, { id: 'c1' }), charge('r', 100, { id: 'c2' }), charge('x', 100)],
    });
    const r = reviewsResolved(
      holds([
        ['r', 'velocity_count', 'released'],
        ['x', 'velocity_count', 'refused'],
        ['u', 'velocity_count', null],
      ]),
      state,
    );
    expect(r).toMatchObject({ valid: false, errorCount: 3 });
  });
});
