import { resolve } from 'node:path';
import { z } from 'zod';

/**
 * Where the runner reports besides its run directory, parsed once from the environment. Every
 * variable is optional: unset, the runner writes its files and nothing else.
 */

const url = z
  .string()
  .url()
  .transform((u) => u.replace(/\/+$/, ''));

const schema = z
  .object({
    /** Pushgateway that receives each run's outcome and the fault gauge. */
    FAULTLINE_PUSHGATEWAY_URL: url.optional(),
    /** Grafana that receives an annotation per fault window and per run; needs FAULTLINE_GRAFANA_TOKEN. */
    FAULTLINE_GRAFANA_URL: url.optional(),
    /** A Grafana service account token with the Annotation Writer permission. */
    FAULTLINE_GRAFANA_TOKEN: z.string().min(1).optional(),
    /** Loki that receives the run events (which are always written to events.jsonl). */
    FAULTLINE_LOKI_URL: url.optional(),
    /**
     * A directory of Prometheus file_sd target files (the one `npm run up` prints): each scenario's
     * stack lists its roles there, with the Postgres/Redis exporters, while it runs.
     */
    FAULTLINE_SCRAPE_DIR: z
      .string()
      .min(1)
      .transform((p) => resolve(p))
      .optional(),
  })
  .superRefine((env, ctx) => {
    if (env.FAULTLINE_GRAFANA_URL && !env.FAULTLINE_GRAFANA_TOKEN) {
      ctx.addIssue({
        code: 'custom',
        path: ['FAULTLINE_GRAFANA_TOKEN'],
        message: 'required when FAULTLINE_GRAFANA_URL is set (a service account token)',
      });
    }
  });

export type ObserveConfig = z.infer<typeof schema>;

/** Every variable the runner's reporting understands, for docs/observability.md. */
export const observeVariables = [
  'FAULTLINE_PUSHGATEWAY_URL',
  'FAULTLINE_GRAFANA_URL',
  'FAULTLINE_GRAFANA_TOKEN',
  'FAULTLINE_LOKI_URL',
  'FAULTLINE_SCRAPE_DIR',
];

/** Parses `env`; throws one message naming every bad variable. Empty strings count as unset. */
export function parseObserveConfig(env: NodeJS.ProcessEnv): ObserveConfig {
  const set = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(set);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid runner configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

let cached: ObserveConfig | undefined;

/** The runner's reporting configuration, parsed from process.env on first use. */
export function observeConfig(): ObserveConfig {
  cached ??= parseObserveConfig(process.env);
  return cached;
}
