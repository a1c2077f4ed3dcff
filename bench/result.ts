import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * The bench's result.json (docs/bench.md): validated with this schema before it is written, so a reader
 * (explain, a dashboard, CI) can rely on every field below.
 *
 * - `figures`: flat numbers, snake_case with the unit last (`_per_s`, `_ms_p99`, `_ratio`, …); a figure
 *   measured in the A/B rounds is the median over its rounds.
 * - `ranges`: [min, max] over the rounds, for every figure the rounds measured.
 * - `findings`: short verdicts in words (what limits a path, what broke first in the users ramp, whether
 *   worker concurrency 50 is justified).
 * - `sections`: the structured detail behind them (see `sectionsSchema`): each round's measurements,
 *   each ratio per round, each drain, the contention curve, the worker sweep, the users ramp's stages.
 */

export const RESULT_FILE = 'result.json';
export const CHART_FILE = 'chart.svg';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const latency = z.object({
  count: finite,
  mean: finite,
  p50: finite,
  p90: finite,
  p99: finite,
  max: finite,
});

/** One measurement of one round (bench/measure.ts MeasureResult). */
const measurementSchema = z.object({
  name: z.string(),
  ok: finite,
  errors: finite,
  errorKinds: z.record(z.string(), finite),
  perS: finite,
  latency,
  wallMs: finite,
  cpuMsPerOp: z.record(z.string(), finite),
  cpuPct: z.record(z.string(), finite),
  walBytesPerOp: finite,
  fsyncsPerOp: finite,
  waits: z.object({
    samples: finite,
    activeBackends: finite,
    shares: z.record(z.string(), finite),
    maxActiveByApp: z.record(z.string(), finite),
    authShareOfApi: finite,
  }),
  lockMs: z.object({ waitP50: finite, waitP99: finite, holdP50: finite, holdP99: finite }),
  settled: z.object({ count: finite, perS: finite, openBefore: finite, openAfter: finite }).optional(),
});

const drainSchema = z.object({
  n: finite,
  bankLatencyMs: finite,
  fromMeasurements: finite,
  seconds: finite,
  perS: finite,
  bankCallMs: finite,
  idealPerS: finite,
  ratio: finite,
  failed: finite,
  cpuMsPerPayout: z.record(z.string(), finite),
  bankCapacityPerS: finite.optional(),
});

const sweepPointSchema = z.object({
  concurrency: finite,
  payouts: finite,
  seconds: finite,
  settledPerS: finite,
  idealPerS: finite,
  bankCallMs: finite,
  workerCpuMsPerPayout: finite,
  allCpuMsPerPayout: finite,
  workerCpuPct: finite,
  eventLoopLagMsP99: finite,
  redisOpsPerS: finite,
});

/** The detail of every section; later sections (lock strategies, a Postgres-only queue) add keys. */
export const sectionsSchema = z
  .object({
    /** Each A/B round: its order, its per-round figures (ratios included), and every measurement. */
    rounds: z.array(
      z.object({
        round: z.number().int().positive(),
        order: z.array(z.string()),
        figures: z.record(z.string(), finite),
        results: z.array(measurementSchema),
      }),
    ),
    /** Each ratio: what it means, its value per round, median and min–max. */
    ratios: z.array(
      z.object({
        name: z.string(),
        what: z.string(),
        numerator: z.string(),
        denominator: z.string(),
        perRound: z.array(finite),
        median: finite,
        min: finite,
        max: finite,
      }),
    ),
    /** What each round measurement is. */
    measurements: z.array(z.object({ name: z.string(), label: z.string(), pipeline: z.string() })),
    /** Backlog drains: after each round's paused block (large), after each contention point (small). */
    drains: z.array(drainSchema),
    /** Payouts/s of the API+DB path over k hot accounts, k ascending. */
    contention: z.array(z.object({ accounts: finite, perS: finite })),
    /** Each level's mean over its passes (`points`), and every pass as measured (absent when --only left it out). */
    worker_concurrency: z
      .object({
        bankLatencyMs: finite,
        points: z.array(sweepPointSchema),
        passes: z.array(z.array(sweepPointSchema)),
      })
      .optional(),
    /** The users ramp: its stages with their signals, and every signal's first crossing (absent when --only left it out). */
    users_ramp: z
      .object({
        users: finite,
        seedSeconds: finite,
        p99LimitMs: finite,
        errorLimit: finite,
        maxInFlight: finite,
        machineBusyBeforePct: finite.nullable(),
        stages: z.array(z.record(z.string(), z.unknown())),
        crossings: z.array(z.record(z.string(), z.unknown())),
      })
      .optional(),
    /** The bank's capacity with the worker's concurrency in flight, measured before each 0 ms drain (median). */
    bank: z.object({ capacityPerS: finite }),
  })
  .catchall(z.unknown());

export const benchResultSchema = z
  .object({
    schemaVersion: z.literal(1),
    kind: z.literal('bench'),
    runId: z.string().min(1),
    startedAt: z.iso.datetime({ offset: true }),
    durationMs: finite.nonnegative(),
    options: z
      .object({ rounds: z.number().int().positive(), durationS: finite.positive(), quick: z.boolean() })
      .catchall(z.unknown()),
    machine: z.object({
      cpus: z.number().int().positive(),
      cpuModel: z.string(),
      memGiB: finite,
      node: z.string(),
      postgres: z.string(),
      redis: z.string(),
      commit: z.string(),
      /** 1-minute load average at the start and the end: how busy the (shared) machine was. */
      loadAvgStart: finite,
      loadAvgEnd: finite,
    }),
    figures: z.record(z.string().regex(/^[a-z0-9_]+$/, 'snake_case'), finite),
    ranges: z.record(
      z.string(),
      z.tuple([finite, finite]).refine(([a, b]) => a <= b, 'min must not exceed max'),
    ),
    findings: z.record(z.string(), z.string()),
    sections: sectionsSchema,
  })
  .superRefine((r, ctx) => {
    for (const [name, value] of Object.entries(r.figures)) {
      // 0 is a real answer (nothing got through); a negative ratio is a bug.
      if (name.endsWith('_ratio') && value < 0) {
        ctx.addIssue({ code: 'custom', path: ['figures', name], message: 'a ratio cannot be negative' });
      }
    }
    for (const name of Object.keys(r.ranges)) {
      if (!(name in r.figures)) {
        ctx.addIssue({ code: 'custom', path: ['ranges', name], message: 'a range without its figure' });
      }
    }
  });

export type BenchResult = z.infer<typeof benchResultSchema>;

/**
 * Validates, then writes result.json atomically (write, rename); returns its path. An invalid result is
 * kept as result.invalid.json, and the zod error (naming every bad field) is thrown.
 */
export function writeBenchResult(dir: string, result: BenchResult): string {
  mkdirSync(dir, { recursive: true });
  const parsed = benchResultSchema.safeParse(result);
  if (!parsed.success) {
    writeFileSync(join(dir, 'result.invalid.json'), `${JSON.stringify(result, null, 2)}\n`);
    throw parsed.error;
  }
  const valid = parsed.data;
  const path = join(dir, RESULT_FILE);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(valid, null, 2)}\n`);
  renameSync(tmp, path);
  return path;
}
