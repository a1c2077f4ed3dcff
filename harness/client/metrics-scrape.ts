/** Reads Prometheus text exposition from /metrics URLs, for the figures a scenario reports. */

export interface Histogram {
  /** Cumulative counts by upper bound, ascending (the +Inf bucket last). */
  buckets: Array<{ le: number; count: number }>;
  count: number;
  sum: number;
}

/** The exposition text at one /metrics URL. */
export async function scrape(url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  return res.text();
}

function labelsMatch(line: string, labels: Record<string, string>): boolean {
  return Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`));
}

/** One histogram from several processes' /metrics, summed (e.g. every API process). */
export async function scrapeHistogram(
  urls: string[],
  name: string,
  labels: Record<string, string> = {},
): Promise<Histogram> {
  return histogramIn(await Promise.all(urls.map(scrape)), name, labels);
}

/** One histogram from already fetched exposition texts, summed over them. */
export function histogramIn(texts: string[], name: string, labels: Record<string, string> = {}): Histogram {
  const byLe = new Map<number, number>();
  let count = 0;
  let sum = 0;
  for (const text of texts) {
    for (const line of text.split('\n')) {
      if (line.startsWith('#') || !labelsMatch(line, labels)) continue;
      const value = Number(line.slice(line.lastIndexOf(' ') + 1));
      if (line.startsWith(`${name}_bucket{`)) {
        const le = /le="([^"]+)"/.exec(line)?.[1] ?? '+Inf';
        const bound = le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le);
        byLe.set(bound, (byLe.get(bound) ?? 0) + value);
      } else if (line.startsWith(`${name}_count`)) count += value;
      else if (line.startsWith(`${name}_sum`)) sum += value;
    }
  }
  const buckets = [...byLe.entries()].sort((a, b) => a[0] - b[0]).map(([le, c]) => ({ le, count: c }));
  return { buckets, count, sum };
}

/** The counts of `b` minus those of `a` (same buckets): what happened between two scrapes. */
export function histogramDelta(a: Histogram, b: Histogram): Histogram {
  const before = new Map(a.buckets.map((x) => [x.le, x.count]));
  return {
    buckets: b.buckets.map((x) => ({ le: x.le, count: x.count - (before.get(x.le) ?? 0) })),
    count: b.count - a.count,
    sum: b.sum - a.sum,
  };
}

/** A quantile by linear interpolation inside its bucket, as PromQL's histogram_quantile does. */
export function quantile(h: Histogram, q: number): number {
  if (h.count === 0) return 0;
  const rank = q * h.count;
  let prevLe = 0;
  let prevCount = 0;
  for (const b of h.buckets) {
    if (b.count >= rank) {
      if (!Number.isFinite(b.le)) return prevLe;
      return prevLe + ((b.le - prevLe) * (rank - prevCount)) / Math.max(b.count - prevCount, 1);
    }
    prevLe = b.le;
    prevCount = b.count;
  }
  return prevLe;
}

/** The upper bound of the highest non-empty bucket: the maximum is at most this. */
export function maxBound(h: Histogram): number {
  let prevCount = 0;
  let bound = 0;
  for (const b of h.buckets) {
    if (b.count > prevCount) bound = b.le;
    prevCount = b.count;
  }
  return bound;
}

/** Sum of a counter (or gauge) over processes, for the series matching `labels`. */
export async function scrapeValue(
  urls: string[],
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  return valueIn(await Promise.all(urls.map(scrape)), name, labels);
}

/** Sum of a counter (or gauge) over already fetched exposition texts. */
export function valueIn(texts: string[], name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const text of texts) {
    for (const line of text.split('\n')) {
      if (!(line.startsWith(`${name}{`) || line.startsWith(`${name} `)) || !labelsMatch(line, labels))
        continue;
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return total;
}
