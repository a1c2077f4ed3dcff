import { LatencyHistogram, type LatencySummary } from './histogram.ts';
import { type ArrivalPlan, arrivalTimes, planDurationMs, type Spacing, stageAt } from './schedule.ts';

/**
 * The load generator. `runOpen` is the open model (k6's arrival-rate executors, pgbench --rate):
 * requests start on the plan's schedule whether or not earlier ones have answered, and each one's
 * latency runs from its INTENDED start, so a server that stalls cannot hide it by slowing the load
 * (coordinated omission). An arrival that finds `maxInFlight` requests outstanding is dropped (k6's
 * dropped_iterations); one that starts more than `lateAfterMs` after its intended time is late (the
 * generator itself fell behind: pgbench's schedule lag). `runClosed` is the closed model (k6's
 * constant-vus, pgbench without --rate): N clients back to back, for a server's maximum throughput.
 */

/** What one request came to: ok, or an error class (`http_503`, `timeout`, `ECONNRESET`, …). */
export interface RequestOutcome {
  ok: boolean;
  error?: string;
}

/**
 * Runs request number `index` for `client` (the closed model's client number; the open model's is the
 * index: every arrival is a new virtual user). `signal` aborts when its timeout passes. A throw counts
 * as an error.
 */
export type RequestFn = (index: number, signal: AbortSignal, client: number) => Promise<RequestOutcome>;

/** One arrival, as it ended. Times are on the generator's clock (`now`), in ms. */
export interface ArrivalRecord {
  index: number;
  stage: number;
  intendedAt: number;
  /** null when dropped. */
  startedAt: number | null;
  endedAt: number;
  dropped: boolean;
  ok: boolean;
  error?: string;
}

/** Counts and latencies of some arrivals (a whole run, or one stage of it). */
export interface LoadStats {
  /** Arrivals the schedule offered (open) or requests started (closed). */
  scheduled: number;
  started: number;
  dropped: number;
  late: number;
  completed: number;
  ok: number;
  errors: Record<string, number>;
  /** Over the arrivals' span: scheduled ÷ span, and ok answers ÷ span. */
  offeredPerS: number;
  achievedPerS: number;
  /** From the intended start (open) or the start (closed) to the answer, every completed request. */
  latency: LatencySummary;
  /** How late requests started after their intended time (open model only). */
  scheduleLag: LatencySummary;
}

export interface StageResult extends LoadStats {
  index: number;
  targetPerS: number;
}

export interface LoadResult extends LoadStats {
  mode: 'open' | 'closed';
  /** When the run began, on the generator's clock: stage i of a plan starts at startedAt + Σ earlier stages. */
  startedAt: number;
  elapsedMs: number;
  /** Most requests outstanding at once. */
  maxInFlight: number;
  /** Per stage of the plan (open), in order; only stages that began. */
  stages: StageResult[];
  /** The schedule was cut short by stopWhen, the signal, or maxRequests. */
  stoppedEarly: boolean;
}

interface Common {
  request: RequestFn;
  /** Each request's signal aborts after this long (default 30 s). */
  timeoutMs?: number;
  /** Hears every arrival as it ends (dropped ones included). */
  onRecord?: (record: ArrivalRecord) => void;
  /** Stops starting requests; those in flight still finish. */
  signal?: AbortSignal;
  /** The clock, in ms (default performance.now); records are on it. */
  now?: () => number;
}

export interface OpenOptions extends Common {
  plan: ArrivalPlan;
  spacing?: Spacing;
  seed?: number;
  maxInFlight: number;
  /** An arrival that starts more than this after its intended time counts as late (default 10 ms). */
  lateAfterMs?: number;
  /** Asked once each stage has ended and all its requests have answered; true stops the schedule. */
  stopWhen?: (stage: StageResult) => boolean;
}

export interface ClosedOptions extends Common {
  clients: number;
  durationMs: number;
  /** Stop after this many requests in all (default: no limit). */
  maxRequests?: number;
}

/** Accumulates records into LoadStats. */
class Tally {
  scheduled = 0;
  started = 0;
  dropped = 0;
  late = 0;
  completed = 0;
  ok = 0;
  errors: Record<string, number> = {};
  firstAt = Number.POSITIVE_INFINITY;
  lastAt = Number.NEGATIVE_INFINITY;
  readonly latency = new LatencyHistogram();
  readonly lag = new LatencyHistogram();

  add(r: ArrivalRecord, lateAfterMs: number): void {
    this.scheduled++;
    this.firstAt = Math.min(this.firstAt, r.intendedAt);
    this.lastAt = Math.max(this.lastAt, r.intendedAt);
    if (r.dropped || r.startedAt === null) {
      this.dropped++;
      return;
    }
    this.started++;
    const lag = r.startedAt - r.intendedAt;
    this.lag.record(lag);
    if (lag > lateAfterMs) this.late++;
    this.completed++;
    this.latency.record(r.endedAt - r.intendedAt);
    if (r.ok) this.ok++;
    else {
      const key = r.error ?? 'error';
      this.errors[key] = (this.errors[key] ?? 0) + 1;
    }
  }

  stats(spanMs: number): LoadStats {
    const s = Math.max(spanMs, 1) / 1000;
    const round = (n: number) => Math.round(n * 100) / 100;
    return {
      scheduled: this.scheduled,
      started: this.started,
      dropped: this.dropped,
      late: this.late,
      completed: this.completed,
      ok: this.ok,
      errors: { ...this.errors },
      offeredPerS: round(this.scheduled / s),
      achievedPerS: round(this.ok / s),
      latency: this.latency.summary(),
      scheduleLag: this.lag.summary(),
    };
  }
}

async function runOne(
  request: RequestFn,
  index: number,
  client: number,
  timeoutMs: number,
): Promise<RequestOutcome> {
  try {
    return await request(index, AbortSignal.timeout(timeoutMs), client);
  } catch (err) {
    return { ok: false, error: (err as Error).name === 'TimeoutError' ? 'timeout' : 'exception' };
  }
}

/** The open model: see the module comment. Resolves once every started request has answered. */
export async function runOpen(opts: OpenOptions): Promise<LoadResult> {
  const now = opts.now ?? (() => performance.now());
  const lateAfterMs = opts.lateAfterMs ?? 10;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const plan = opts.plan;
  if (!(opts.maxInFlight >= 1)) throw new Error('maxInFlight must be at least 1');
  const stageCount = plan.stages.length;
  const stageEnds: number[] = [];
  for (const s of plan.stages) stageEnds.push((stageEnds.at(-1) ?? 0) + s.durationS * 1000);
  const total = new Tally();
  const stages = plan.stages.map(() => ({ tally: new Tally(), open: 0, reported: false }));
  const t0 = now();
  let inFlight = 0;
  let maxInFlight = 0;
  let stopped = false;
  let scheduleDone = false;
  /** When the schedule ended (ms after t0): its plan's end, or earlier when stopped. */
  let cutAt = Number.POSITIVE_INFINITY;
  const inFlightDone: Array<() => void> = [];
  const stageResults: StageResult[] = [];
  /**
   * When the next arrival not yet started is due (ms after t0). A stage has ended once both the clock
   * and the schedule are past its end: a timer that fires late must not close a stage before its last
   * arrival started.
   */
  let upcomingAt = 0;

  const record = (r: ArrivalRecord) => {
    total.add(r, lateAfterMs);
    const st = stages[r.stage];
    if (st) st.tally.add(r, lateAfterMs);
    opts.onRecord?.(r);
  };
  const maybeReportStages = () => {
    const elapsed = now() - t0;
    for (const [i, st] of stages.entries()) {
      if (st.reported) continue;
      const end = stageEnds[i] ?? 0;
      const ended = (elapsed >= end && upcomingAt >= end) || scheduleDone;
      if (!ended || st.open > 0) return;
      st.reported = true;
      if (st.tally.scheduled === 0 && (stopped || scheduleDone)) return;
      const from = end - (plan.stages[i]?.durationS ?? 0) * 1000;
      const result: StageResult = {
        index: i,
        targetPerS: plan.stages[i]?.targetPerS ?? 0,
        ...st.tally.stats(Math.min(end, cutAt) - from),
      };
      stageResults.push(result);
      if (!stopped && opts.stopWhen?.(result)) stopped = true;
    }
  };

  const start = (index: number, stage: number, intendedAt: number) => {
    const st = stages[stage];
    if (inFlight >= opts.maxInFlight) {
      record({ index, stage, intendedAt, startedAt: null, endedAt: intendedAt, dropped: true, ok: false });
      return;
    }
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    if (st) st.open++;
    const startedAt = now();
    void runOne(opts.request, index, index, timeoutMs).then((outcome) => {
      inFlight--;
      if (st) st.open--;
      record({
        index,
        stage,
        intendedAt,
        startedAt,
        endedAt: now(),
        dropped: false,
        ok: outcome.ok,
        ...(outcome.error ? { error: outcome.error } : {}),
      });
      maybeReportStages();
      if (inFlight === 0) for (const done of inFlightDone.splice(0)) done();
    });
  };

  const times = arrivalTimes(plan, { spacing: opts.spacing ?? 'fixed', seed: opts.seed ?? 1 });
  let next = times.next();
  let index = 0;
  while (!next.done && !stopped && !opts.signal?.aborted) {
    upcomingAt = next.value;
    const due = t0 + next.value;
    const wait = due - now();
    if (wait > 1) {
      await new Promise((r) => setTimeout(r, Math.floor(wait)));
      maybeReportStages();
      continue;
    }
    // Everything already due starts now, however far behind: late, but never skipped. (Up to 1 ms
    // early too: a timer cannot be finer.)
    start(index++, stageAt(plan, next.value), due);
    next = times.next();
    if (index % 64 === 0) await new Promise((r) => setImmediate(r));
  }
  const cut = !next.done;
  if (cut) cutAt = now() - t0;
  scheduleDone = true;
  if (inFlight > 0) await new Promise<void>((r) => inFlightDone.push(r));
  maybeReportStages();
  const elapsedMs = now() - t0;
  const spanMs = cut ? cutAt : planDurationMs(plan);
  return {
    mode: 'open',
    startedAt: t0,
    elapsedMs,
    maxInFlight,
    stages: stageResults.slice(0, stageCount),
    stoppedEarly: cut,
    ...total.stats(spanMs),
  };
}

/** The closed model: `clients` loops, each starting its next request when the last one answered. */
export async function runClosed(opts: ClosedOptions): Promise<LoadResult> {
  const now = opts.now ?? (() => performance.now());
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const limit = opts.maxRequests ?? Number.POSITIVE_INFINITY;
  const total = new Tally();
  const t0 = now();
  const until = t0 + opts.durationMs;
  let index = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let cut = false;
  const client = async (_: unknown, c: number) => {
    while (now() < until && !opts.signal?.aborted) {
      if (index >= limit) {
        cut = true;
        return;
      }
      const i = index++;
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const startedAt = now();
      const outcome = await runOne(opts.request, i, c, timeoutMs);
      inFlight--;
      const r: ArrivalRecord = {
        index: i,
        stage: 0,
        intendedAt: startedAt,
        startedAt,
        endedAt: now(),
        dropped: false,
        ok: outcome.ok,
        ...(outcome.error ? { error: outcome.error } : {}),
      };
      total.add(r, Number.POSITIVE_INFINITY);
      opts.onRecord?.(r);
    }
    if (opts.signal?.aborted) cut = true;
  };
  await Promise.all(Array.from({ length: opts.clients }, client));
  const elapsedMs = now() - t0;
  return {
    mode: 'closed',
    startedAt: t0,
    elapsedMs,
    maxInFlight,
    stages: [],
    stoppedEarly: cut,
    ...total.stats(elapsedMs),
  };
}
