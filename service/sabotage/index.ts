import type { JobsOptions } from 'bullmq';
import type pg from 'pg';
import type { ReadParts } from '../api/read-services.ts';
import type { Config } from '../config.ts';
import type { RedisVelocityCheck } from '../fraud/redis-velocity.ts';
import type { Logger } from '../log.ts';
import type { MoneyDeps } from '../money/operations.ts';
import type { ReconDeps } from '../recon/reconcile.ts';
import type { startRelayLoop } from '../relay/relay.ts';
import type { PayoutWorkerDeps } from '../worker/process-payout.ts';
import { ForgetfulCacheLink, uncoordinatedFill } from './cache.ts';
import { directEnqueue, idleRelay } from './enqueue-direct.ts';
import { brokenMoneyStore } from './money-store.ts';
import { decideInRedisNonAtomic } from './rate-window.ts';
import { bankAssumingFailure, unthrottled } from './recon.ts';
import { unboundedRetries } from './relay.ts';
import type { Sabotage } from './variables.ts';
import { checkInRedisNonAtomic } from './velocity-check.ts';
import { type Closable, failTransferRefundingTwice, keylessBank, undrained } from './worker.ts';

/*
 * The one place of the broken variants ("sabotages", named by SABOTAGE; see variables.ts), which exist
 * to prove that the harness's checkers can fail. Each replaces one dependency where its role is wired:
 * every role calls its function below once, and the domain code never knows. With SABOTAGE empty, each
 * function answers the real dependencies: no part (the role's own default) or the one it was given.
 */

/** The API role's broken parts; `close()` ends what they opened. */
export interface ApiVariants {
  money: Pick<MoneyDeps, 'store' | 'onCreated'>;
  reads: ReadParts;
  velocityCheck?: RedisVelocityCheck;
  close(): Promise<void>;
}

/** The API role's: where money operations run, who hears of new payouts, the read side, the fraud check. */
export function apiVariants(config: Config, { pool, log }: { pool: pg.Pool; log: Logger }): ApiVariants {
  const on = config.SABOTAGE;
  const direct = on.has('enqueue-direct') ? directEnqueue(config, log) : null;
  return {
    money: {
      store: brokenMoneyStore(on, pool, { retries: config.TX_RETRIES }),
      ...(direct ? { onCreated: direct.onCreated } : {}),
    },
    reads: readVariants(on),
    ...(on.has('non-atomic-velocity') ? { velocityCheck: checkInRedisNonAtomic } : {}),
    close: async () => direct?.close(),
  };
}

/** The read side's broken parts (the API role's cache link, caches and rate limiter). */
export function readVariants(on: ReadonlySet<Sabotage>): ReadParts {
  return {
    ...(on.has('no-purge-while-down') ? { link: (opts) => new ForgetfulCacheLink(opts) } : {}),
    ...(on.has('no-single-flight') ? { fill: uncoordinatedFill } : {}),
    ...(on.has('non-atomic-limiter') ? { window: decideInRedisNonAtomic } : {}),
  };
}

/** The relay role's broken parts. */
export function relayVariants(
  config: Config,
  log: Logger,
): Partial<{ startLoop: typeof startRelayLoop; jobOptions: (jobId: string) => JobsOptions }> {
  const on = config.SABOTAGE;
  return {
    ...(on.has('enqueue-direct') ? { startLoop: idleRelay(log) } : {}),
    ...(on.has('unbounded-retries') ? { jobOptions: unboundedRetries(config) } : {}),
  };
}

/** The worker role's: its dependencies as given or broken, and its worker as started or undrained. */
export function workerVariants(config: Config) {
  const on = config.SABOTAGE;
  return {
    deps: (deps: PayoutWorkerDeps): PayoutWorkerDeps => ({
      ...deps,
      ...(on.has('bank-no-key') ? { bank: keylessBank(deps.bank) } : {}),
      ...(on.has('refund-twice') ? { failTransfer: failTransferRefundingTwice } : {}),
    }),
    worker: (worker: Closable): Closable => (on.has('no-drain') ? undrained(worker) : worker),
  };
}

/** The recon role's broken dependencies, to spread over the real ones. */
export function reconVariants(config: Config): Partial<ReconDeps> {
  const on = config.SABOTAGE;
  return {
    ...(on.has('recon-no-throttle') ? unthrottled : {}),
    ...(on.has('recon-no-lookup') ? { bank: bankAssumingFailure } : {}),
  };
}
