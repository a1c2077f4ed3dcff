import type { BankClient } from '../bank/client.ts';
import type { Sabotage } from '../config.ts';
import { sql } from '../db/sql.ts';
import { failTransfer, type Queryable } from '../payouts/transfers-repo.ts';
import type { PayoutWorkerDeps } from './process-payout.ts';

/**
 * Deliberately broken dependencies of the payout worker, wired in by the worker role only when SABOTAGE
 * names them (never by default), so the harness can prove its checkers catch exactly these bugs.
 */
export function sabotagedWorkerDeps(
  deps: PayoutWorkerDeps,
  sabotage: ReadonlySet<Sabotage>,
): PayoutWorkerDeps {
  return {
    ...deps,
    bank: sabotage.has('bank-no-key') ? keylessBank(deps.bank) : deps.bank,
    failTransfer: sabotage.has('refund-twice') ? failTransferRefundingTwice : deps.failTransfer,
  };
}

/** `bank-no-key`: charges go to the bank without the transfer id as idempotency key. */
function keylessBank(bank: PayoutWorkerDeps['bank']): PayoutWorkerDeps['bank'] {
  return {
    charge: (req: Parameters<BankClient['charge']>[0]) => bank.charge({ ...req, key: undefined }),
    void: (key: string) => bank.void(key),
  };
}

/** `refund-twice`: a final failure credits the balance a second time, outside the ledger. */
async function failTransferRefundingTwice(db: Queryable, id: string, reason: string): Promise<boolean> {
  const failed = await failTransfer(db, id, reason);
  if (failed) await db.query(sql('sabotage-refund-again'), [id]);
  return failed;
}
