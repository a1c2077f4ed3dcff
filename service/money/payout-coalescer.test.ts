import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DatabaseUnavailable, PayoutDeadlineExceeded, PayoutQueueFull } from '../errors.ts';
import type { ItemOutcome, MoneyRow, PayoutItem } from './money-repo.ts';
import { PayoutCoalescer } from './payout-coalescer.ts';

/*
 * The coalescer's own rules, against batches the test answers by hand (payout_batch() itself is tested
 * against PostgreSQL in service/test/payout-coalescing.test.ts).
 */

interface Sent {
  keys: (string | null)[];
  answer(outcomes?: ItemOutcome[]): void;
}

function harness(opts: { maxBatch?: number; queueMax?: number } = {}) {
  const sent: Sent[] = [];
  const coalescer = new PayoutCoalescer(
    (_user, _account, items) =>
      new Promise<ItemOutcome[]>((resolve) =>
        sent.push({
          keys: items.map((i) => i.idempotencyKey),
          answer: (outcomes) => resolve(outcomes ?? items.map((i) => row(i.idempotencyKey))),
        }),
      ),
    { maxBatch: opts.maxBatch ?? 64, queueMax: opts.queueMax ?? 1_000 },
  );
  /** One payout of the test account; settles into `{ row }` or `{ err }`, never rejects. */
  const pay = (key: string, deadlineInMs: number | null = null) =>
    coalescer
      .run('user', 'account', item(key, deadlineInMs === null ? null : Date.now() + deadlineInMs))
      .then(
        (row) => ({ row, err: undefined }),
        (err: unknown) => ({ row: undefined, err }),
      );
  return { sent, pay };
}

const item = (key: string, deadline: number | null): PayoutItem => ({
  amount: 100,
  currency: 'USD',
  destination: 'IBAN-1',
  idempotencyKey: key,
  requestHash: randomBytes(32),
  holdReason: null,
  deadline,
});

const row = (key: string | null): MoneyRow => ({
  outcome: 'created',
  response_status: 201,
  response_body: { key },
  lock_wait_s: 0,
  lock_hold_s: 0,
});

/** Lets the promise callbacks run (the coalescer's own `then`s), on fake timers or not. */
const settle = () => vi.advanceTimersByTimeAsync(0);

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('PayoutCoalescer', () => {
  it('sends a payout at once while fewer than two batches are out; the rest leave together', async () => {
    const { sent, pay } = harness();
    const answers = ['a', 'b', 'c', 'd', 'e'].map((k) => pay(k));
    expect(sent.map((s) => s.keys)).toEqual([['a'], ['b']]);
    sent[0]?.answer();
    await settle();
    expect(sent.map((s) => s.keys)).toEqual([['a'], ['b'], ['c', 'd', 'e']]);
    sent[1]?.answer();
    sent[2]?.answer();
    expect((await Promise.all(answers)).map((a) => a.row?.response_body)).toEqual(
      ['a', 'b', 'c', 'd', 'e'].map((key) => ({ key })),
    );
  });

  it('never sends a key twice at once: a duplicate waits, in its place, for the batch holding the key', async () => {
    const { sent, pay } = harness();
    const answers = ['a', 'b', 'x', 'x', 'a', 'y'].map((k) => pay(k));
    sent[0]?.answer(); // 'a' is back: the next batch may take the second 'a', but only one 'x'
    await settle();
    expect(sent.map((s) => s.keys)).toEqual([['a'], ['b'], ['x', 'a', 'y']]);
    sent[1]?.answer(); // a free slot, but the only payout queued is an 'x', and an 'x' is out
    await settle();
    expect(sent).toHaveLength(3);
    sent[2]?.answer();
    await settle();
    expect(sent.map((s) => s.keys)).toEqual([['a'], ['b'], ['x', 'a', 'y'], ['x']]);
    sent[3]?.answer();
    expect((await Promise.all(answers)).every((a) => a.row !== undefined)).toBe(true);
  });

  it('answers a queued payout 503 payout_deadline_exceeded at its deadline, and never sends it', async () => {
    const { sent, pay } = harness();
    const [first, second] = [pay('a', 5_000), pay('b', 5_000)];
    const late = pay('c', 1_000);
    await vi.advanceTimersByTimeAsync(999);
    expect(sent).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect((await late).err).toBeInstanceOf(PayoutDeadlineExceeded);
    sent[0]?.answer();
    sent[1]?.answer();
    await settle();
    expect(sent.map((s) => s.keys)).toEqual([['a'], ['b']]);
    expect([(await first).row, (await second).row]).not.toContain(undefined);
  });

  it("answers a payout still in the database at its deadline as unknown, and ignores the batch's late answer", async () => {
    const { sent, pay } = harness();
    const stuck = pay('a', 1_000);
    await vi.advanceTimersByTimeAsync(1_000);
    expect((await stuck).err).toBeInstanceOf(DatabaseUnavailable);
    sent[0]?.answer();
    await settle();
    expect((await stuck).row).toBeUndefined();
  });

  it('refuses a payout at once, sending nothing, when its account already queues queueMax', async () => {
    const { sent, pay } = harness({ queueMax: 2 });
    const answers = ['a', 'b', 'c', 'd'].map((k) => pay(k));
    const refused = await pay('e');
    expect(refused.err).toBeInstanceOf(PayoutQueueFull);
    for (const s of sent) s.answer();
    await settle();
    sent[2]?.answer();
    expect(sent.flatMap((s) => s.keys)).toEqual(['a', 'b', 'c', 'd']);
    expect((await Promise.all(answers)).every((a) => a.row !== undefined)).toBe(true);
  });

  it('lets a payout without a deadline wait as long as its batch takes', async () => {
    const { sent, pay } = harness();
    let answered = false;
    const waiting = pay('a').then((a) => {
      answered = true;
      return a;
    });
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(answered).toBe(false);
    sent[0]?.answer();
    expect((await waiting).row).toBeDefined();
  });
});
