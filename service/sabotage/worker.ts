import type { BankClient } from '../bank/client.ts';
import { failTransfer, type Queryable } from '../payouts/transfers-repo.ts';
import type { PayoutWorkerDeps } from '../worker/process-payout.ts';
import { brokenSql } from './sql.ts';

/** `bank-no-key`: charges go to the bank without the transfer id as idempotency key. */
export function keylessBank(bank: PayoutWorkerDeps['bank']): PayoutWorkerDeps['bank'] {
  return {
    charge: (req: Parameters<BankClient['charge']>[0]) => bank.charge({ ...req, key: undefined }),
    void: (key: string) => bank.void(key),
  };
}

/** `refund-twice`: a final failure credits the balance a second time, outside the ledger. */
export async function failTransferRefundingTwice(
  db: Queryable,
  id: string,
  reason: string,
): Promise<boolean> {
  const failed = await failTransfer(db, id, reason);
  if (failed) await db.query(brokenSql('refund-again'), [id]);
  return failed;
}

/** What stopping a worker does: BullMQ's close(), which drains in-flight jobs unless forced. */
export interface Closable {
  close(force?: boolean): Promise<void>;
}

/** `no-drain`: a worker that stops at once, abandoning its in-flight jobs to the stalled-job check. */
export function undrained(worker: Closable): Closable {
  return { close: () => worker.close(true) };
}
