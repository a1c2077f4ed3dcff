import { appendFileSync } from 'node:fs';
import { type Histogram, scrapeHistogram } from '../client/metrics-scrape.ts';
import type { Sample } from '../core/sample.ts';

export interface SamplerSources {
  /** The run's clock (the recorder's `now`). */
  now: () => number;
  /** The /metrics URLs of the target's API processes (none: no lock-wait timeline). */
  apiMetricsUrls: () => string[];
  /** The payout queue's counts, natively (`native:queue`); absent, no queue timeline. */
  queueCounts?: () => Promise<Partial<Record<'waiting' | 'active' | 'delayed', number>>>;
  /** The run's payouts not yet settled or refunded (the target's `open` read); absent, no timeline. */
  inFlight?: () => Promise<{ transfers: number; amount: number } | null>;
}

export interface Sampler {
  /** The newest sample, for live displays (a demo's narrator). */
  readonly latest: Sample | null;
  /** Stops sampling, after the sample in progress is written. */
  stop(): Promise<void>;
}

/** How long one source may take before its part of the sample is left empty. */
const SOURCE_TIMEOUT_MS = 900;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

async function lockWait(urls: string[]): Promise<Sample['lockWait']> {
  const parts = await Promise.allSettled(
    urls.map((u) => withTimeout(scrapeHistogram([u], 'account_lock_wait_seconds'), SOURCE_TIMEOUT_MS)),
  );
  const answered = parts.flatMap((p) => (p.status === 'fulfilled' ? [p.value] : []));
  if (answered.length === 0) return null;
  const byLe = new Map<number, number>();
  let count = 0;
  let sum = 0;
  for (const h of answered) {
    count += h.count;
    sum += h.sum;
    // The +Inf bucket equals count; JSON cannot hold Infinity, so it is left out.
    for (const b of h.buckets) if (Number.isFinite(b.le)) byLe.set(b.le, (byLe.get(b.le) ?? 0) + b.count);
  }
  return { buckets: [...byLe].sort((a, b) => a[0] - b[0]), count, sum };
}

/** A sampled histogram back as a Histogram (with its +Inf bucket) for quantile(). */
export function sampledHistogram(h: NonNullable<Sample['lockWait']>): Histogram {
  return {
    buckets: [
      ...h.buckets.map(([le, count]) => ({ le, count })),
      { le: Number.POSITIVE_INFINITY, count: h.count },
    ],
    count: h.count,
    sum: h.sum,
  };
}

/** Takes one sample: every source at once, each bounded by SOURCE_TIMEOUT_MS. */
export async function takeSample(src: SamplerSources): Promise<Sample> {
  const started = performance.now();
  const t = src.now();
  const none = Promise.resolve(null);
  const [lock, queue, inFlight] = await Promise.allSettled([
    lockWait(src.apiMetricsUrls()),
    src.queueCounts ? withTimeout(src.queueCounts(), SOURCE_TIMEOUT_MS) : none,
    src.inFlight ? withTimeout(src.inFlight(), SOURCE_TIMEOUT_MS) : none,
  ]);
  const counts = queue.status === 'fulfilled' ? queue.value : null;
  const row = inFlight.status === 'fulfilled' ? inFlight.value : null;
  return {
    t: Math.round(t),
    lockWait: lock.status === 'fulfilled' ? lock.value : null,
    queue: counts
      ? { waiting: counts.waiting ?? 0, active: counts.active ?? 0, delayed: counts.delayed ?? 0 }
      : null,
    inFlight: row ? { transfers: row.transfers, amountCents: row.amount } : null,
    costMs: Math.round(performance.now() - started),
  };
}

/**
 * Samples the service once every `intervalMs` into `file` (JSON lines), for the report's timelines. One
 * sample at a time: a slow one delays the next rather than piling up, so on 2 cores it stays a small,
 * bounded cost (one /metrics scrape per API process, one queue count, one read of the open payouts).
 */
export function startSampler(src: SamplerSources, file: string, { intervalMs = 1_000 } = {}): Sampler {
  let latest: Sample | null = null;
  let stopped = false;
  let pause: { timer: NodeJS.Timeout; resolve: () => void } | undefined;
  const loop = (async () => {
    // On a fixed schedule, so timer lag on a busy machine does not stretch the interval.
    let next = Date.now();
    while (!stopped) {
      const sample = await takeSample(src);
      latest = sample;
      appendFileSync(file, `${JSON.stringify(sample)}\n`);
      if (stopped) break;
      next = Math.max(next + intervalMs, Date.now());
      await new Promise<void>((resolve) => {
        pause = { timer: setTimeout(resolve, next - Date.now()), resolve };
      });
    }
  })();
  return {
    get latest() {
      return latest;
    },
    async stop() {
      stopped = true;
      if (pause) {
        clearTimeout(pause.timer);
        pause.resolve();
      }
      await loop;
    },
  };
}
