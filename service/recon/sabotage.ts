import type { Charge } from '../bank/client.ts';
import type { Sabotage } from '../config.ts';
import type { ReconDeps } from './reconcile.ts';

/**
 * Deliberately broken recon dependencies, wired in by the recon role only when SABOTAGE names them
 * (never by default), so the harness can prove its checkers catch exactly these bugs.
 */
export function sabotagedReconDeps(sabotage: ReadonlySet<Sabotage>): Partial<ReconDeps> {
  return {
    // `recon-no-throttle`: no bound on the payout queue's waiting count.
    ...(sabotage.has('recon-no-throttle') ? { queueBound: Number.MAX_SAFE_INTEGER } : {}),
    ...(sabotage.has('recon-no-lookup') ? { bank: { lookup: assumeFailed } } : {}),
  };
}

/**
 * `recon-no-lookup`: never asks the bank and takes every stuck transfer for declined, so recon fails and
 * refunds it, whether or not the bank charged it (the "timeout means failed" bug).
 */
async function assumeFailed(key: string): Promise<Charge> {
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
}
