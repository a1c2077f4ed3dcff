/**
 * A latency histogram kept in memory, HdrHistogram's way: values in whole microseconds, exact below
 * 128 µs, and above that 128 linear sub-buckets per power of two, so any quantile is within 0.8 % of
 * the true value, whatever the count. Minimum and maximum are kept exactly.
 */

const SUB_BUCKETS = 128;
const SUB_BITS = 7;
/** Values above 2^40 µs (12 days) are clamped: nothing we measure waits that long. */
const MAX_EXPONENT = 40;
const SIZE = SUB_BUCKETS + (MAX_EXPONENT - SUB_BITS + 1) * SUB_BUCKETS;

/** The figures a histogram is reported with, in milliseconds. */
export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

function indexOf(us: number): number {
  if (us < SUB_BUCKETS) return us;
  const exponent = Math.min(Math.floor(Math.log2(us)), MAX_EXPONENT);
  const shift = exponent - SUB_BITS;
  const sub = Math.min(Math.floor(us / 2 ** shift), 2 * SUB_BUCKETS - 1) - SUB_BUCKETS;
  return SUB_BUCKETS + shift * SUB_BUCKETS + sub;
}

/** The highest value (µs) that falls in bucket `index`. */
function upperOf(index: number): number {
  if (index < SUB_BUCKETS) return index;
  const shift = Math.floor((index - SUB_BUCKETS) / SUB_BUCKETS);
  const sub = (index - SUB_BUCKETS) % SUB_BUCKETS;
  return (SUB_BUCKETS + sub + 1) * 2 ** shift - 1;
}

export class LatencyHistogram {
  readonly #counts = new Float64Array(SIZE);
  #count = 0;
  #sumUs = 0;
  #minUs = Number.POSITIVE_INFINITY;
  #maxUs = 0;

  /** Records one value in milliseconds (negative values count as 0). */
  record(ms: number): void {
    const us = Math.max(0, Math.round(ms * 1000));
    const i = indexOf(us);
    this.#counts[i] = (this.#counts[i] ?? 0) + 1;
    this.#count++;
    this.#sumUs += us;
    if (us < this.#minUs) this.#minUs = us;
    if (us > this.#maxUs) this.#maxUs = us;
  }

  /** Adds every value of `other` to this one. */
  merge(other: LatencyHistogram): void {
    const counts = other.#counts;
    for (let i = 0; i < SIZE; i++) {
      const n = counts[i] ?? 0;
      if (n > 0) this.#counts[i] = (this.#counts[i] ?? 0) + n;
    }
    this.#count += other.#count;
    this.#sumUs += other.#sumUs;
    this.#minUs = Math.min(this.#minUs, other.#minUs);
    this.#maxUs = Math.max(this.#maxUs, other.#maxUs);
  }

  get count(): number {
    return this.#count;
  }

  /** Exact maximum in ms (0 when empty). */
  get max(): number {
    return this.#maxUs / 1000;
  }

  get mean(): number {
    return this.#count === 0 ? 0 : this.#sumUs / this.#count / 1000;
  }

  /**
   * The value (ms) at quantile q: the smallest recorded value such that at least q of all values are at
   * or below it, within 0.8 %; never outside [min, max]. 0 when empty.
   */
  quantile(q: number): number {
    if (this.#count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.#count));
    let seen = 0;
    for (let i = 0; i < SIZE; i++) {
      seen += this.#counts[i] ?? 0;
      if (seen >= rank) return Math.min(Math.max(upperOf(i), this.#minUs), this.#maxUs) / 1000;
    }
    return this.max;
  }

  summary(): LatencySummary {
    const round = (ms: number) => Math.round(ms * 1000) / 1000;
    return {
      count: this.#count,
      mean: round(this.mean),
      p50: round(this.quantile(0.5)),
      p90: round(this.quantile(0.9)),
      p99: round(this.quantile(0.99)),
      max: round(this.max),
    };
  }
}
