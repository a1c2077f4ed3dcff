import { Histogram } from 'prom-client';
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
  resolve(row: MoneyRow): void;
  reject(err: unknown): void;
}

interface Account {
  queue: Waiting[];
  running: number;
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
 * its own key, stored response, ledger entry and outbox row; the balance decides them in arrival order.
 * Correctness never rests on this class: batches meet each other and other processes' payouts at the
 * row lock and at the keys' advisory locks (a key twice in one batch: payout_batch answers the second
 * `in_flight`), exactly as single payouts do.
 */
export class PayoutCoalescer {
  readonly #accounts = new Map<string, Account>();

  constructor(
    private readonly runBatch: RunBatch,
    private readonly opts: { maxBatch: number },
  ) {}

  /** Runs one payout, alone or in a batch with others of the same account; its row, or its error. */
  run(userId: string, accountId: string, item: PayoutItem): Promise<MoneyRow> {
    const group = `${userId}/${accountId}`;
    let account = this.#accounts.get(group);
    if (!account) {
      account = { queue: [], running: 0 };
      this.#accounts.set(group, account);
    }
    const target = account;
    const done = new Promise<MoneyRow>((resolve, reject) => target.queue.push({ item, resolve, reject }));
    this.#pump(group, userId, accountId, target);
    return done;
  }

  #pump(group: string, userId: string, accountId: string, account: Account): void {
    while (account.running < IN_FLIGHT && account.queue.length > 0) {
      const batch = account.queue.splice(0, this.opts.maxBatch);
      account.running++;
      batchSize.observe(batch.length);
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
          if (account.running === 0 && account.queue.length === 0) this.#accounts.delete(group);
          else this.#pump(group, userId, accountId, account);
        });
    }
  }
}
