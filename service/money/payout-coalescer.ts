import { Histogram } from 'prom-client';
import { DatabaseUnavailable, PayoutDeadlineExceeded, PayoutQueueFull } from '../errors.ts';
import { registry } from '../metrics.ts';
import type { ItemOutcome, MoneyRow, PayoutItem } from './money-repo.ts';

const batchSize = new Histogram({
  name: 'payout_batch_size',
  help: 'Payouts written per coalesced transaction (one account, one row lock, one commit).',
  buckets: [1, 2, 4, 8, 16, 32, 64, 128],
  registers: [registry],
});

/** Runs the payouts of one account of one user as one transaction; one outcome per item, in order. */
export type RunBatch = (userId: string, accountId: string, items: PayoutItem[]) => Promise<ItemOutcome[]>;

interface Waiting {
  item: PayoutItem;
  /** queued: in memory, never sent; sent: in a batch in the database; answered: its promise settled. */
  state: 'queued' | 'sent' | 'answered';
  resolve(row: MoneyRow): void;
  reject(err: unknown): void;
}

interface Account {
  queue: Waiting[];
  running: number;
  /** Idempotency keys of the payouts in the database right now (how many of each). */
  keysSent: Map<string, number>;
}

/**
 * Batches of one account in the database at once: while one commits, the next already waits at the
 * row lock, so the row is never idle for a round trip, and the payouts arriving meanwhile gather.
 */
const IN_FLIGHT = 2;

/**
 * Hot-account coalescing (PAYOUT_COALESCE): concurrent payouts from the same account of the same user
 * are gathered into one call of payout_batch() — one row lock, one commit, one WAL flush for all of
 * them — instead of each waiting for the row in turn. A payout of an account with fewer than IN_FLIGHT
 * batches in the database goes at once (it never waits for company); the others queue and leave
 * together, at most `maxBatch` at a time, in arrival order, as soon as a batch comes back. Each keeps
 * its own key, stored response, ledger entry and outbox row.
 *
 * Order: within a batch the balance decides the payouts in arrival order. Two batches in the database
 * at once meet at the row lock, and whichever gets it first is decided first, so a later payout may take
 * the money an earlier one of the other batch then lacks (422): the order concurrent requests have
 * without coalescing too, where each waits for the row on its own connection. Nothing promises more.
 *
 * Waits are bounded: a payout with a deadline (PayoutItem.deadline) is answered by then — still queued,
 * it leaves the queue with 503 payout_deadline_exceeded (never sent, so nothing written); in the database,
 * with 503 database_unavailable (unknown), while payout_batch() refuses to write it past its deadline. A
 * queue already holding `queueMax` payouts of the account refuses the next at once (503
 * payout_queue_full).
 *
 * A key is never twice in the database at once: a payout whose Idempotency-Key is in the batch being
 * formed, or in one in flight, waits for a later batch, so it gets exactly the answer it would get
 * without coalescing once the first is done: the stored response (a replay), or 422 for another request
 * under that key.
 *
 * Correctness never rests on this class: batches meet each other and other processes' payouts at the
 * row lock and at the keys' advisory locks, exactly as single payouts do.
 */
export class PayoutCoalescer {
  readonly #accounts = new Map<string, Account>();

  constructor(
    private readonly runBatch: RunBatch,
    private readonly opts: { maxBatch: number; queueMax: number },
  ) {}

  /** Runs one payout, alone or in a batch with others of the same account; its row, or its error. */
  run(userId: string, accountId: string, item: PayoutItem): Promise<MoneyRow> {
    const group = `${userId}/${accountId}`;
    let account = this.#accounts.get(group);
    if (!account) {
      account = { queue: [], running: 0, keysSent: new Map() };
      this.#accounts.set(group, account);
    }
    if (account.queue.length >= this.opts.queueMax) return Promise.reject(new PayoutQueueFull());
    const target = account;
    const done = new Promise<MoneyRow>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const w: Waiting = {
        item,
        state: 'queued',
        resolve(row) {
          clearTimeout(timer);
          w.state = 'answered';
          resolve(row);
        },
        reject(err) {
          clearTimeout(timer);
          w.state = 'answered';
          reject(err);
        },
      };
      if (item.deadline !== null)
        timer = setTimeout(() => this.#expire(group, target, w), Math.max(0, item.deadline - Date.now()));
      target.queue.push(w);
    });
    this.#pump(group, userId, accountId, target);
    return done;
  }

  /** The deadline has come: a queued payout leaves the queue unwritten; a sent one's outcome is unknown. */
  #expire(group: string, account: Account, w: Waiting): void {
    if (w.state === 'queued') {
      const at = account.queue.indexOf(w);
      if (at >= 0) account.queue.splice(at, 1);
      w.reject(new PayoutDeadlineExceeded());
      this.#forgetIfIdle(group, account);
    } else if (w.state === 'sent') {
      w.reject(new DatabaseUnavailable());
    }
  }

  #pump(group: string, userId: string, accountId: string, account: Account): void {
    while (account.running < IN_FLIGHT && account.queue.length > 0) {
      const batch = this.#take(account);
      if (batch.length === 0) return; // every queued payout's key is in the database: wait for it
      account.running++;
      batchSize.observe(batch.length);
      for (const w of batch) {
        w.state = 'sent';
        const key = w.item.idempotencyKey;
        if (key !== null) account.keysSent.set(key, (account.keysSent.get(key) ?? 0) + 1);
      }
      this.runBatch(
        userId,
        accountId,
        batch.map((w) => w.item),
      )
        .then(
          (outcomes) =>
            batch.forEach((w, i) => {
              const o = outcomes[i];
              if (o === undefined) w.reject(new Error(`no outcome for payout ${i} of a batch`));
              else if (o instanceof Error) w.reject(o);
              else w.resolve(o);
            }),
          (err: unknown) => {
            for (const w of batch) w.reject(err);
          },
        )
        .finally(() => {
          account.running--;
          for (const w of batch) {
            const key = w.item.idempotencyKey;
            if (key === null) continue;
            const n = (account.keysSent.get(key) ?? 1) - 1;
            if (n > 0) account.keysSent.set(key, n);
            else account.keysSent.delete(key);
          }
          if (!this.#forgetIfIdle(group, account)) this.#pump(group, userId, accountId, account);
        });
    }
  }

  /**
   * The next batch: up to maxBatch queued payouts in arrival order, leaving in the queue (in their places)
   * those whose key is already in the batch or in the database.
   */
  #take(account: Account): Waiting[] {
    const batch: Waiting[] = [];
    const held: Waiting[] = [];
    const keys = new Set<string>();
    let i = 0;
    for (; i < account.queue.length && batch.length < this.opts.maxBatch; i++) {
      const w = account.queue[i] as Waiting;
      const key = w.item.idempotencyKey;
      if (key !== null && (keys.has(key) || account.keysSent.has(key))) {
        held.push(w);
        continue;
      }
      if (key !== null) keys.add(key);
      batch.push(w);
    }
    account.queue = held.length === 0 ? account.queue.slice(i) : [...held, ...account.queue.slice(i)];
    return batch;
  }

  /** Drops an account with nothing queued or in flight; whether it did. */
  #forgetIfIdle(group: string, account: Account): boolean {
    if (account.running > 0 || account.queue.length > 0) return false;
    if (this.#accounts.get(group) === account) this.#accounts.delete(group);
    return true;
  }
}
