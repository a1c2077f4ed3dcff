import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type pg from 'pg';
import type {
  NativeExtras,
  NativeHa,
  NativeProcess,
  NativeRedis,
  QueueState,
} from '../../contract/native.ts';
import { loadConfig } from '../../service/config.ts';
import { refuseHeldPayout, releaseHeldPayout } from '../../service/fraud/holds.ts';
import {
  DEAD_LETTER_QUEUE,
  type PayoutJobData,
  payoutJobId,
  payoutJobOptions,
  workerName,
} from '../../service/queue/queues.ts';
import { type DeadLetter, listDeadLetters, replayDeadLetter } from '../../service/worker/dead-letters.ts';
import type { HaParts } from '../ha.ts';
import { type RedisRole, redisClientOptions, type Stack } from '../index.ts';
import { stackProcesses } from './describe.ts';
import { targetSql } from './sql.ts';

/**
 * What the native stack offers a scenario beyond its description (contract/native.ts): the payout
 * queue, rows written behind the API, both Redis servers, more API processes, the service's settings,
 * fraud holds, PostgreSQL's log. `db`, `redis` and `queue` are faultline's own direct connections.
 */
export function nativeExtras(
  stack: Stack,
  direct: { db: pg.Pool; redis: Redis; queue: Queue<PayoutJobData> },
): NativeExtras {
  const info = stack.info();
  const config = () => loadConfig(stack.serviceEnv());
  const process = (name: string): NativeProcess => {
    const found = stackProcesses(stack).find((p) => p.name === name);
    if (!found) throw new Error(`no process ${name} in the stack`);
    const p = found.proc;
    return {
      name,
      role: found.role,
      get pid() {
        return p.pid;
      },
      get running() {
        return p.running;
      },
      get exited() {
        return p.exited;
      },
      kill: (signal) => p.kill(signal),
      restart: () => p.restart(),
    };
  };
  const withDeadLetters = async <T>(fn: (dlq: Queue<DeadLetter>) => Promise<T>): Promise<T> => {
    const connection = new Redis(info.redisQueue.url, {
      maxRetriesPerRequest: 1,
      ...redisClientOptions(info, 'queue'),
    });
    connection.on('error', () => {});
    const dlq = new Queue<DeadLetter>(DEAD_LETTER_QUEUE, { connection, prefix: config().QUEUE_PREFIX });
    try {
      return await fn(dlq);
    } finally {
      await dlq.close();
      connection.disconnect();
    }
  };
  return {
    capabilities: [
      'native:queue',
      'native:seed',
      'native:redis',
      'native:spawn-api',
      'native:settings',
      'native:postgres',
      'native:holds',
      'native:processes',
      ...(stack.ha ? (['native:ha'] as const) : []),
    ],
    process,
    async startApi() {
      const api = await stack.startService('api');
      return { name: api.name, url: api.url, metrics: `${api.opsUrl}/metrics` };
    },
    queue: {
      counts: async (...states: QueueState[]) => direct.queue.getJobCounts(...states),
      async activeJobsOf(name) {
        const holder = workerName(process(name).pid);
        const jobs = await direct.queue.getJobs(['active']);
        return jobs.filter((j) => j.processedBy === holder).map((j) => String(j.id));
      },
      async job(id) {
        const job = await direct.queue.getJob(id);
        if (!job) return null;
        return {
          ...(job.processedBy ? { processedBy: job.processedBy } : {}),
          ...(job.finishedOn ? { finishedOn: job.finishedOn } : {}),
          ...(job.failedReason ? { failedReason: job.failedReason } : {}),
          stalledCounter: job.stalledCounter,
        };
      },
      deadLetters: () =>
        withDeadLetters(async (dlq) =>
          (await listDeadLetters(dlq, 100_000)).map((l) => ({
            transferId: l.transferId,
            attemptsMade: l.attemptsMade,
            reason: l.reason,
          })),
        ),
      replayDeadLetters: () =>
        withDeadLetters(async (dlq) => {
          const settings = config();
          let n = 0;
          for (const letter of await listDeadLetters(dlq, 100_000)) {
            const jobId = await replayDeadLetter(dlq, direct.queue, {
              transferId: letter.transferId,
              jobOptions: (id) => payoutJobOptions(settings, id),
            });
            if (jobId) n++;
          }
          return n;
        }),
      workerName: (name) => workerName(process(name).pid),
      async publishedOpen() {
        const { rows } = await direct.db.query<{ id: string }>(targetSql('outbox-published-open'));
        return rows.map((r) => r.id);
      },
      hasJob: async (transferId) => Boolean(await direct.queue.getJob(payoutJobId(transferId))),
      async publishedUnmarked() {
        const { rows } = await direct.db.query<{ id: string }>(targetSql('outbox-unpublished'));
        if (rows.length === 0) return 0;
        const unmarked = new Set(rows.map((r) => r.id));
        const jobs = await direct.queue.getJobs([
          'waiting',
          'active',
          'delayed',
          'prioritized',
          'completed',
          'failed',
        ]);
        return new Set(jobs.map((j) => j.data.transferId).filter((id) => unmarked.has(id))).size;
      },
    },
    async seedStuck(opts) {
      const { rows } = await direct.db.query<{ id: string }>(targetSql('stuck-payouts-insert'), [
        opts.accountIds,
        opts.perAccount,
        opts.amount,
        opts.currency ?? 'USD',
        opts.fresh ?? false,
      ]);
      return rows.map((r) => r.id);
    },
    async setCurrency(ids, currency) {
      await direct.db.query(targetSql('payouts-set-currency'), [ids, currency]);
    },
    async now() {
      const { rows } = await direct.db.query<{ now: Date }>('SELECT clock_timestamp() AS now');
      return rows[0]?.now as Date;
    },
    redis: { queue: redisFor(stack, 'queue'), cache: redisFor(stack, 'cache') },
    ha: stack.ha ? haOf(stack.ha, info.postgres.url) : null,
    get settings() {
      const c = config();
      return {
        balanceReads: { limit: c.RATE_LIMIT_BALANCE.limit, windowMs: c.RATE_LIMIT_BALANCE.windowMs },
        profileCacheKey: (userId: string) => `${c.CACHE_PREFIX}:cache:profile:${userId}`,
      };
    },
    holds: {
      async list() {
        const { rows } = await direct.db.query<{
          transfer_id: string;
          reason: string;
          decision: 'released' | 'refused' | null;
        }>(targetSql('holds-all'));
        return new Map(rows.map((r) => [r.transfer_id, { reason: r.reason, decision: r.decision }]));
      },
      async decide(transferId, decision, note) {
        const decide = decision === 'release' ? releaseHeldPayout : refuseHeldPayout;
        await decide(direct.db, transferId, note);
      },
    },
    postgresLogFile: stack.postgres.logFile,
    async blockedSessions() {
      const { rows } = await direct.db.query<{ blocked: number; who: string[] }>(
        targetSql('sessions-blocked'),
      );
      return { blocked: rows[0]?.blocked ?? 0, who: rows[0]?.who ?? [] };
    },
    async replaceRole(role, opts) {
      for (const p of stack.services.filter((s) => s.role === role && s.running)) await p.stop();
      const url = new URL(stack.serviceEnv().REDIS_QUEUE_URL as string);
      url.host = opts.redisQueueVia;
      const started = await stack.startService(role, { env: { REDIS_QUEUE_URL: url.toString() } });
      return process(started.name);
    },
    async versions() {
      const postgres = await direct.db
        .query<{ v: string }>("SELECT current_setting('server_version') AS v")
        .then((r) => r.rows[0]?.v ?? null)
        .catch(() => null);
      const redis = await direct.redis
        .info('server')
        .then((text) => /^redis_version:(\S+)/m.exec(text)?.[1] ?? null)
        .catch(() => null);
      return { postgres, redis };
    },
  };
}

/** A Redis server of the stack as a harness client reaches it: TLS, or the Sentinels on the ha topology. */
function redisFor(stack: Stack, role: RedisRole): NativeRedis {
  const info = stack.info();
  const url = role === 'queue' ? info.redisQueue.url : info.redisCache.url;
  const ha = info.ha?.redis;
  return {
    url,
    ...(info.tls ? { caFile: info.tls.caFile } : {}),
    ...(ha
      ? { sentinels: ha.sentinels.map(({ host, port }) => ({ host, port })), masterName: ha[role].masterName }
      : {}),
  };
}

/** How long a healed PostgreSQL member may take to stream again (crash recovery, pg_rewind, catch-up). */
const REJOIN_MS = 90_000;

/** The ha topology's members, struck by name (the links each member has of its own, its agent). */
function haOf(ha: HaParts, url: string): NativeHa {
  const member = (name: string) => {
    const found = ha.postgres.cluster.members.find((m) => m.name === name);
    if (!found) throw new Error(`no member ${name} in the cluster`);
    return found;
  };
  /** The proxies between one member and the rest of the cluster (etcd, its peers' replication and REST). */
  const links = (name: string) =>
    (['dcs', 'pg', 'rest'] as const).map((kind) => {
      const link = ha.postgres.links.links[`${name}-${kind}`];
      if (!link) throw new Error(`no ${kind} link for ${name}`);
      return link;
    });
  const setLinks = (name: string, enabled: boolean) =>
    Promise.all(
      links(name).map((l) => {
        // The same body a cut sends (harness/chaos/network-faults.ts): the proxy as it is, enabled or not.
        const body = { name: l.name, listen: l.listen, upstream: l.upstream };
        return l.update({ ...body, enabled });
      }),
    );
  const redisServer = (name: string) => {
    const found = [...ha.sentinels.groups.queue.servers, ...ha.sentinels.groups.cache.servers].find(
      (s) => s.name === name,
    );
    if (!found) throw new Error(`no Redis server ${name}`);
    return found;
  };
  return {
    members: ha.postgres.cluster.members.map((m) => m.name),
    ttlSeconds: ha.postgres.cluster.settings.ttl,
    url,
    memberUrl(name) {
      const u = new URL(url);
      u.port = String(member(name).pgPort);
      return u.toString();
    },
    primary: async () => (await ha.postgres.cluster.waitHealthy(REJOIN_MS)).name,
    async crashMember(name) {
      await Promise.all([member(name).crash(), setLinks(name, false)]);
    },
    async isolateMember(name) {
      await setLinks(name, false);
    },
    async rejoinMember(name) {
      await setLinks(name, true);
      const m = member(name);
      if (!m.running) await m.start();
      await ha.postgres.cluster.waitHealthy(REJOIN_MS);
    },
    redisMaster: async (group) => (await ha.sentinels.groups[group].master())?.name,
    async killRedis(name) {
      const server = redisServer(name);
      server.kill('SIGKILL');
      await server.exited;
    },
    async restartRedis(name) {
      const server = redisServer(name);
      if (!server.running) await server.restart();
    },
  };
}
