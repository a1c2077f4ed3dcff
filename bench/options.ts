import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

export const USAGE = `usage: npm run bench -- [--rounds N] [--duration S] [--quick] [--only SECTION,…] [--out DIR]

  --rounds N     A/B rounds of baselines and measurements (default 3; --quick: 1)
  --duration S   seconds of each HTTP measurement (default 8; --quick: 2); pgbench baselines and the
                 idempotency pair run half as long
  --quick        a smoke run of every section at small sizes, about 2 minutes (not for quoting)
  --only S,…     run only these sections (default all): api_path, idempotency, contention,
                 worker_concurrency, lock_strategies, indexes, currencies, pii, observability,
                 pg_queue, replication, users_ramp
  --out DIR      parent of the run directory (default runs/)

exit codes: 0 done, 2 usage or set-up error (the message says what to do)`;

export class UsageError extends Error {}

/** The sections `--only` names, in their run order; every one must exist (a typo is a usage error). */
export function pickSections<T extends { name: string }>(all: readonly T[], only?: readonly string[]): T[] {
  if (!only) return [...all];
  const known = all.map((s) => s.name);
  const unknown = only.filter((n) => !known.includes(n));
  if (unknown.length > 0)
    throw new UsageError(
      `--only: no section ${unknown.map((n) => `"${n}"`).join(', ')}; known: ${known.join(', ')}`,
    );
  return all.filter((s) => only.includes(s.name));
}

export interface BenchOptions {
  rounds: number;
  durationS: number;
  quick: boolean;
  /** Sections to run (names as in run.ts SECTIONS); undefined: all of them. */
  only?: readonly string[];
  /** Parent directory of the run directory. */
  out: string;
  /** Closed-model clients of every throughput measurement, and pgbench's -c. */
  clients: number;
  /** Seconds of each pgbench baseline and of each idempotency measurement. */
  shortS: number;
  /** pgbench's tpcb-like scale (10; 1 for --quick, which only checks that everything runs). */
  pgbenchScale: number;
  /** Backlogs drained: the large one after each round's paused block, the small ones after contention blocks. */
  drainLarge: number;
  drainSmall: number;
  /** Bank latencies of the drains (ms), cycled through: round r drains at bankLatenciesMs[r % 3]. */
  bankLatenciesMs: readonly number[];
  /** Hot accounts of the contention curve's points. */
  contentionAccounts: readonly number[];
  /** Worker concurrency levels, with the bank at sweepBankMs. */
  sweepLevels: readonly number[];
  sweepBankMs: number;
  /** Seconds of work each sweep level is given (its backlog is sized from that). */
  sweepWindowS: number;
  /** Passes over the levels, alternating up and down. */
  sweepPasses: number;
  /** Distinct users of the ramp, and its stages. */
  users: number;
  rampStageS: number;
}

const int = (name: string, raw: string | undefined, min: number, max: number): number | undefined => {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`${name} must be a whole number from ${min} to ${max}, not "${raw}"`);
  return n;
};

/** Parses the command line; throws UsageError with a message naming the bad option. */
export function parseOptions(argv: string[]): BenchOptions & { help: boolean } {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      rounds: { type: 'string' },
      duration: { type: 'string' },
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      out: { type: 'string', default: 'runs' },
      target: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  if (values.target !== undefined)
    throw new UsageError(
      '--target: the bench measures the reference against pgbench on the same PostgreSQL, with probes inside it, so it runs on its own native stack only; to load your service, run the scenarios with --target (docs/targets.md)',
    );
  const quick = values.quick;
  const rounds = int('--rounds', values.rounds, 1, 20) ?? (quick ? 1 : 3);
  const durationS = int('--duration', values.duration, 1, 120) ?? (quick ? 2 : 8);
  const only = values.only?.split(',').map((s) => s.trim());
  if (only && (only.length === 0 || only.some((s) => !s)))
    throw new UsageError(`--only takes section names separated by commas, not "${values.only}"`);
  return {
    help: values.help,
    rounds,
    durationS,
    quick,
    ...(only ? { only } : {}),
    out: resolve(values.out),
    clients: 16,
    shortS: Math.max(1, Math.round(durationS / 2)),
    pgbenchScale: quick ? 1 : 10,
    drainLarge: quick ? 500 : 10_000,
    drainSmall: quick ? 200 : 2_000,
    bankLatenciesMs: [0, 25, 100],
    contentionAccounts: [1, 2, 4, 16, 64],
    sweepLevels: quick ? [1, 10, 50] : [1, 5, 10, 25, 50, 100, 200],
    sweepBankMs: 50,
    sweepWindowS: quick ? 1 : 2,
    sweepPasses: quick ? 1 : 2,
    users: quick ? 1_000 : 10_000,
    rampStageS: quick ? 1 : 3,
  };
}
