import type { Sabotage } from '../../service/config.ts';
import type { StackOptions } from '../index.ts';

/**
 * Sabotages of the stack rather than of the service: the runner starts the stack with these settings and
 * the service code runs unchanged (it is not told). Each is a setting a real deployment could have, and
 * each breaks a guarantee only when a crash or failover lands on it.
 */
export interface StackSabotage {
  durability?: NonNullable<StackOptions['durability']>;
  /** Service environment overrides. */
  env?: Record<string, string>;
}

const STACK_SABOTAGES: Partial<Record<Sabotage, StackSabotage>> = {
  // Standbys asynchronous, and WAL held back 150 ms on its way to them: a promoted standby lacks the
  // commits of the last 150 ms, which the old primary had acknowledged. (Patroni still promotes it: its
  // lag stays far under maximum_lag_on_failover's 1 MiB.) Not more: every round trip of a rejoining
  // member's pg_rewind pays it too.
  'async-standby': { durability: { synchronousMode: false, replicationLatencyMs: 150 } },
  // A commit returns before its WAL is flushed; the WAL writer flushes within 200 ms (wal_writer_delay).
  'async-commit': { durability: { synchronousCommit: 'off' } },
  // Every role keeps the address of the Redis first started as master instead of asking the Sentinels:
  // after a failover it writes to a dead server, then to one the Sentinels made a read-only replica.
  'pinned-redis-master': { env: { REDIS_QUEUE_SENTINELS: '', REDIS_CACHE_SENTINELS: '' } },
};

/**
 * The stack options that switch `sabotage` on, on top of `opts.env`: a sabotage of the stack's own
 * (durability, service settings it is not told about), or the service's (its SABOTAGE variable).
 */
export function sabotaged(
  sabotage: string | null | undefined,
  opts: { env: Record<string, string> },
): Pick<StackOptions, 'env' | 'durability'> {
  if (!sabotage) return { env: opts.env };
  const ofStack = STACK_SABOTAGES[sabotage as Sabotage];
  if (!ofStack) return { env: { ...opts.env, SABOTAGE: sabotage } };
  return {
    env: { ...opts.env, ...ofStack.env },
    ...(ofStack.durability ? { durability: ofStack.durability } : {}),
  };
}
