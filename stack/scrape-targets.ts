import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { StackInfo } from './info.ts';

/**
 * What Prometheus should scrape in a native stack, as a file_sd target file. The labels match the
 * compose config's jobs (observability/prometheus/prometheus.yml) so dashboards and alerts work on both:
 * job = the role (api, relay, worker, recon, bank), postgres, or redis with redis="queue"|"cache"; an `ha`
 * stack adds job = patroni (each member's agent serves /metrics on its REST port, instance = the member)
 * and job = haproxy (its built-in exporter).
 */
export interface TargetGroup {
  targets: string[];
  labels: Record<string, string>;
}

const hostPort = (url: string) => new URL(url).host;

/** Target groups for every role, the bank and the exporters of `info`, each with `extraLabels`. */
export function scrapeTargets(info: StackInfo, extraLabels: Record<string, string> = {}): TargetGroup[] {
  const groups: TargetGroup[] = info.services.map((s) => ({
    targets: [hostPort(s.opsUrl)],
    // The process name (worker-2) instead of a random port: series stay comparable across stacks.
    labels: { ...extraLabels, job: s.role, instance: s.name },
  }));
  if (info.ha) {
    for (const m of info.ha.postgres.members) {
      groups.push({
        targets: [hostPort(m.restUrl)],
        labels: { ...extraLabels, job: 'patroni', instance: m.name },
      });
    }
    groups.push({
      targets: [`127.0.0.1:${info.ha.postgres.haproxy.statsPort}`],
      labels: { ...extraLabels, job: 'haproxy', instance: 'haproxy' },
    });
  }
  const { postgres, redis } = info.exporters ?? {};
  if (postgres) {
    groups.push({
      targets: [hostPort(postgres.url)],
      labels: { ...extraLabels, job: 'postgres', instance: 'postgres' },
    });
  }
  if (redis) {
    for (const [role, server] of [
      ['queue', info.redisQueue],
      ['cache', info.redisCache],
    ] as const) {
      groups.push({
        targets: [hostPort(redis.url)],
        labels: {
          ...extraLabels,
          job: 'redis',
          redis: role,
          instance: `redis-${role}`,
          // redis_exporter's multi-target endpoint: /scrape?target=redis://…
          __metrics_path__: '/scrape',
          __param_target: server.url,
        },
      });
    }
  }
  return groups;
}

/** Writes a target file atomically: Prometheus re-reads it on change and must never see half of it. */
export function writeTargetFile(file: string, groups: TargetGroup[]): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(groups, null, 2)}\n`);
  renameSync(tmp, file);
}

export function removeTargetFile(file: string): void {
  rmSync(file, { force: true });
}
