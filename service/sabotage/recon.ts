import type { Charge } from '../bank/client.ts';
import type { ReconDeps } from '../recon/reconcile.ts';

/** `recon-no-throttle`: no bound on the payout queue's waiting count. */
export const unthrottled: Pick<ReconDeps, 'queueBound'> = { queueBound: Number.MAX_SAFE_INTEGER };

/**
 * `recon-no-lookup`: a bank that is never asked; every stuck transfer is taken for declined, so recon
 * fails and refunds it, whether or not the bank charged it (the "timeout means failed" bug).
 */
export const bankAssumingFailure: ReconDeps['bank'] = {
  async lookup(key: string): Promise<Charge> {
    return {
      id: `assumed-${key}`,
      key,
      reference: key,
      amount: 0,
      currency: '',
      destination: null,
      status: 'declined',
      createdAt: new Date().toISOString(),
    };
  },
};
