import type { HaPostgres } from './ha-postgres.ts';
import type { HaInfo } from './info.ts';
import type { ProcessHandle } from './process.ts';
import type { RedisRole } from './redis.ts';
import type { Sentinels } from './sentinel.ts';

/** The highly available parts of an `ha` stack, as the harness reaches them. */
export interface HaParts {
  readonly postgres: HaPostgres;
  readonly sentinels: Sentinels;
  /** Who is what right now, as each Patroni agent and the Sentinels say. */
  roles(): Promise<HaRoles>;
  info(): HaInfo;
}

/** `down`: the agent does not answer (killed, or cut off from us — we dial it directly, so killed). */
export type PostgresMemberRole = 'primary' | 'sync-standby' | 'standby' | 'starting' | 'down';

export interface HaRoles {
  postgres: Record<string, PostgresMemberRole>;
  redis: Record<RedisRole, { master: string | null }>;
}

const base = (p: Pick<ProcessHandle, 'name' | 'pid' | 'logFile'>) => ({
  name: p.name,
  pid: p.pid,
  logFile: p.logFile,
});

/** Joins the Patroni cluster and the Sentinels into the stack's `ha` part. */
export function haParts(postgres: HaPostgres, sentinels: Sentinels): HaParts {
  return {
    postgres,
    sentinels,
    async roles() {
      const statuses = await Promise.all(postgres.cluster.members.map((m) => m.status()));
      const sync = new Set(
        statuses.flatMap((s) => s?.replication.filter((r) => r.sync).map((r) => r.name) ?? []),
      );
      const pgRoles: Record<string, PostgresMemberRole> = {};
      postgres.cluster.members.forEach((m, i) => {
        const s = statuses[i];
        pgRoles[m.name] = !s
          ? 'down'
          : s.state !== 'running'
            ? 'starting'
            : s.role === 'primary'
              ? 'primary'
              : sync.has(m.name)
                ? 'sync-standby'
                : 'standby';
      });
      const redis = {} as HaRoles['redis'];
      for (const [role, group] of Object.entries(sentinels.groups) as [
        RedisRole,
        Sentinels['groups'][RedisRole],
      ][]) {
        redis[role] = { master: (await group.master())?.name ?? null };
      }
      return { postgres: pgRoles, redis };
    },
    info() {
      const { cluster, etcd, haproxy, links } = postgres;
      const server = (s: { name: string; pid: number; logFile: string; port: number; url: string }) => ({
        ...base(s),
        port: s.port,
        url: s.url,
      });
      return {
        postgres: {
          scope: cluster.scope,
          settings: cluster.settings,
          haproxy: {
            ...base(haproxy),
            port: haproxy.port,
            statsPort: Number(new URL(haproxy.statsUrl).port),
          },
          etcd: { ...base(etcd), url: etcd.url },
          links: {
            ...base(links.server),
            url: links.apiUrl,
            proxies: Object.fromEntries(Object.entries(links.links).map(([name, p]) => [name, p.listen])),
          },
          members: cluster.members.map((m) => {
            const postmasterPid = m.postmasterPid();
            return {
              name: m.name,
              pid: m.running ? m.agent.pid : -1,
              logFile: m.logFile,
              pgPort: m.pgPort,
              restUrl: m.restUrl,
              ...(postmasterPid ? { postmasterPid } : {}),
              links: {
                pg: m.addresses.pgConnectAddress,
                rest: m.addresses.restConnectAddress,
                dcs: m.addresses.etcdAddress,
              },
            };
          }),
        },
        redis: {
          sentinels: sentinels.processes.map((p) => ({
            ...base(p),
            host: '127.0.0.1',
            port: p.port as number,
          })),
          queue: {
            masterName: sentinels.groups.queue.masterName,
            servers: sentinels.groups.queue.servers.map(server),
          },
          cache: {
            masterName: sentinels.groups.cache.masterName,
            servers: sentinels.groups.cache.servers.map(server),
          },
        },
      };
    },
  };
}
