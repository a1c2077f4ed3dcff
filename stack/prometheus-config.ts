import { join } from 'node:path';
import { repoRoot } from './service.ts';

/** The alert rules every Prometheus of ours loads: the compose one and the native one. */
export const rulesGlob = join(repoRoot, 'observability', 'prometheus', 'rules', '*.yml');

export interface NativeConfigOptions {
  /** Directory of file_sd target files, one per running stack (see scrape-targets.ts). */
  targetsDir: string;
  /** host:port of this Prometheus, for its own metrics. */
  self: string;
  /** host:port of the Pushgateway the runner pushes to. */
  pushgateway: string;
  /** 5 s natively: short scenario runs need a few points per fault window. */
  scrapeIntervalSeconds?: number;
}

/**
 * The native Prometheus's config, as a plain object; JSON is valid YAML, so it is written as JSON.
 * Same job names and labels as observability/prometheus/prometheus.yml, with targets found through file_sd: each
 * native stack writes its own target file, and disappears from it when it stops.
 */
export function nativePrometheusConfig(opts: NativeConfigOptions): Record<string, unknown> {
  const interval = `${opts.scrapeIntervalSeconds ?? 5}s`;
  return {
    global: { scrape_interval: interval, evaluation_interval: interval },
    rule_files: [rulesGlob],
    scrape_configs: [
      { job_name: 'prometheus', static_configs: [{ targets: [opts.self] }] },
      // Keeps the pushed job/scenario/sabotage labels (see observability/prometheus/prometheus.yml).
      { job_name: 'pushgateway', honor_labels: true, static_configs: [{ targets: [opts.pushgateway] }] },
      {
        // Each target group sets its own job label (api, worker, postgres, redis, …).
        job_name: 'faultline',
        file_sd_configs: [{ files: [join(opts.targetsDir, '*.json')], refresh_interval: '5s' }],
      },
    ],
  };
}
