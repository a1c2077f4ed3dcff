import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { FraudScreen } from '../fraud/screen.ts';
import type { Logger } from '../log.ts';
import type { MoneyDeps } from '../money/operations.ts';
import type { AuthCache, AuthVariables } from './auth.ts';
import type { ReadServices } from './read-services.ts';

/** What the API's routes need, built once by api/role.ts (or by a test). */
export interface ApiDeps {
  pool: pg.Pool;
  /** Looked-up API keys (AUTH_CACHE_TTL_MS); none: every request looks its key up. */
  authCache?: AuthCache;
  money: MoneyDeps;
  maxAmount: number;
  /** Only /readyz uses it: payouts need Postgres alone (the outbox), never Redis. */
  redisQueue: Redis;
  /** Cached profiles and dashboards, coalesced balance reads and the rate limiter (cache Redis). */
  reads: ReadServices;
  /** The fraud rules every payout passes before its transaction (one cache-Redis script call). */
  fraud: FraudScreen;
  log: Logger;
}

export type ApiEnv = { Variables: AuthVariables & { requestId: string } };
