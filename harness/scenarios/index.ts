import type { Scenario } from '../runner/scenario.ts';
import { balanceHammer } from './balance-hammer.ts';
import { bankPartition } from './bank-partition.ts';
import { cacheStampede } from './cache-stampede.ts';
import { deadlock } from './deadlock.ts';
import { deployDrain } from './deploy-drain.ts';
import { doubleDebit } from './double-debit.ts';
import { fraudBurst } from './fraud-burst.ts';
import { lossyBank } from './lossy-bank.ts';
import { pgFailover } from './pg-failover.ts';
import { pgPrimaryIsolated } from './pg-primary-isolated.ts';
import { poisonJob } from './poison-job.ts';
import { postgresCrash } from './postgres-crash.ts';
import { postgresPause } from './postgres-pause.ts';
import { reconFlood } from './recon-flood.ts';
import { redisCrash } from './redis-crash.ts';
import { redisCut } from './redis-cut.ts';
import { redisFailover } from './redis-failover.ts';
import { redisOom } from './redis-oom.ts';
import { relayPause } from './relay-pause.ts';
import { workerKill } from './worker-kill.ts';

/** Every scenario, in the order the default suite runs them. */
export const scenarios: Scenario[] = [
  doubleDebit,
  workerKill,
  redisCut,
  redisCrash,
  redisFailover,
  postgresCrash,
  postgresPause,
  pgFailover,
  pgPrimaryIsolated,
  reconFlood,
  cacheStampede,
  balanceHammer,
  redisOom,
  lossyBank,
  bankPartition,
  deadlock,
  poisonJob,
  deployDrain,
  relayPause,
  fraudBurst,
];

export const DEFAULT_SUITE = scenarios.map((s) => s.name);
