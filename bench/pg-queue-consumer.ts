import type pg from 'pg';
import type { BankClient } from '../service/bank/client.ts';
import { settleTransfer } from '../service/payouts/transfers-repo.ts';

/**
 * A Postgres-only queue for the outbox, for the design sheet's general-1 (Postgres alone or Postgres
 * + Redis): the bench's stand-in for the relay + BullMQ + worker, doing the same work per payout as
 * the worker — claim and mark PROCESSING, charge the bank with the transfer id as idempotency key,
 * settle — with `concurrency` loops that claim one row each with FOR UPDATE SKIP LOCKED, so that no
 * two loops ever take the same payout. An idle loop polls every IDLE_POLL_MS (a real deployment would
 * add LISTEN/NOTIFY, whose commit-time lock is why the money path does not notify:
 * docs/decisions/0001-no-notify-in-the-money-transaction.md).
 *
 * What it leaves out is what BullMQ adds (general-1's answer): per-job retries with backoff, stalled
 * detection, a dead-letter queue. A payout it cannot settle stays PROCESSING for recon to resolve, and
 * the bench counts it as an error: with the bank healthy, there must be none.
 */

const IDLE_POLL_MS = 5;

// Claims the oldest unpublished PENDING payout and marks it PROCESSING (and published, so that a relay
// thawed later never sends it again), in one autocommitted statement.
const CLAIM = `
UPDATE bank_transfers t
   SET status = 'PROCESSING', attempts = t.attempts + 1, published_at = now(), updated_at = now()
  FROM (SELECT id FROM bank_transfers
         WHERE published_at IS NULL AND status = 'PENDING'
         ORDER BY created_at
         LIMIT 1
           FOR UPDATE SKIP LOCKED) c
 WHERE t.id = c.id
RETURNING t.id, t.amount, t.currency, t.destination`;

interface Claimed {
  id: string;
  amount: string;
  currency: string;
  destination: string;
}

export class PgQueueConsumer {
  #running = false;
  #loops: Promise<void>[] = [];
  settled = 0;
  errors: string[] = [];

  constructor(
    private readonly pool: pg.Pool,
    private readonly bank: Pick<BankClient, 'charge'>,
    private readonly concurrency: number,
  ) {}

  start(): void {
    if (this.#running) throw new Error('the Postgres-only consumer is already running');
    this.#running = true;
    this.#loops = Array.from({ length: this.concurrency }, () => this.#loop());
  }

  /** Stops claiming; resolves once every loop has finished the payout it held. */
  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(this.#loops);
    this.#loops = [];
  }

  async #loop(): Promise<void> {
    while (this.#running) {
      try {
        const { rows } = await this.pool.query<Claimed>(CLAIM);
        const t = rows[0];
        if (!t) {
          await new Promise((r) => setTimeout(r, IDLE_POLL_MS));
          continue;
        }
        const result = await this.bank.charge({
          key: t.id,
          reference: t.id,
          amount: Number(t.amount),
          currency: t.currency,
          destination: t.destination,
        });
        if (result.kind !== 'charged') throw new Error(`bank answered ${result.kind} for ${t.id}`);
        if (await settleTransfer(this.pool, t.id, result.charge.id)) this.settled += 1;
      } catch (err) {
        this.errors.push((err as Error).message);
        if (this.errors.length > 100) {
          this.#running = false;
          return;
        }
      }
    }
  }
}
