import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { BankControl } from '../fakes/bank/client.ts';
import type { HttpTarget } from '../harness/load/http-target.ts';
import type { PayoutJobData } from '../service/queue/queues.ts';
import type { ServiceHandle, Stack } from '../stack/index.ts';
import type { BenchUser } from './fixtures.ts';
import type { BenchOptions } from './options.ts';
import type { Pgbench } from './pgbench.ts';
import type { Pipeline } from './pipeline.ts';
import { CpuMeter } from './probes/cpu.ts';

/** The users the throughput measurements pay out from; see setup in run.ts. */
export interface Fixtures {
  /** One account per client: client c pays from payers[c]; payers[0] is also the hot account. */
  payers: BenchUser[];
  /** Users with two accounts each, for transfers between them (idempotency cost). */
  movers: BenchUser[];
  /** Owner of the backlogs created for drains. */
  backlog: BenchUser;
}

/** Everything a section can use. */
export interface BenchContext {
  opts: BenchOptions;
  stack: Stack;
  /** The harness's own direct connection to the service's database. */
  db: pg.Pool;
  /** Keep-alive client of the API. */
  api: HttpTarget;
  /** The mock bank's owner client: its faults (latency). */
  bank: BankControl;
  bankUrl: string;
  queue: Queue<PayoutJobData>;
  /** The queue Redis, read directly (INFO). */
  redis: Redis;
  pipeline: Pipeline;
  pgbench: Pgbench;
  fixtures: Fixtures;
  /** Figures other sections need (e.g. the bank's capacity, the drain rate at 0 ms). */
  known: Record<string, number>;
  /** Where the run's files go. */
  runDir: string;
  /** One progress line. */
  say(line: string): void;
}

/**
 * A CPU meter over every process of the stack, by role (sweep workers count as `worker`; `redis` is
 * both servers); CpuMeter adds `harness`, this process: the load generator and the probes. On an `ha`
 * stack `postgres` is every member's PostgreSQL (standbys replaying WAL included), `redis` every
 * server and Sentinel, and `haproxy` and `patroni` (its agents and etcd) are measured too.
 */
export function cpuMeter(ctx: BenchContext): CpuMeter {
  const pids = (role: ServiceHandle['role']) => () =>
    ctx.stack.services.filter((s) => s.role === role && s.running).map((s) => s.pid);
  const ha = ctx.stack.ha;
  const alive = (list: Array<{ running: boolean; pid: number }>) =>
    list.filter((p) => p.running).map((p) => p.pid);
  return new CpuMeter({
    api: pids('api'),
    postgres: ha
      ? () => ha.postgres.cluster.members.flatMap((m) => m.postmasterPid() ?? [])
      : () => [ctx.stack.postgres.pid],
    relay: pids('relay'),
    worker: pids('worker'),
    recon: pids('recon'),
    bank: pids('bank'),
    redis: ha
      ? () =>
          alive([
            ...ha.sentinels.groups.queue.servers,
            ...ha.sentinels.groups.cache.servers,
            ...ha.sentinels.processes,
          ])
      : () => [ctx.stack.redisQueue.pid, ctx.stack.redisCache.pid],
    ...(ha
      ? {
          haproxy: () => alive([ha.postgres.haproxy]),
          patroni: () => alive([...ha.postgres.cluster.members.map((m) => m.agent), ha.postgres.etcd]),
        }
      : {}),
  });
}

/** The opsUrl of every running API process: where its /metrics are read (stack/info.ts). */
export function apiOpsUrls(ctx: BenchContext): string[] {
  return ctx.stack.services.filter((s) => s.role === 'api' && s.running).map((s) => s.opsUrl);
}
