import {
  type Histogram,
  histogramDelta,
  quantile,
  scrape,
  scrapeHistogram,
  scrapeValue,
} from '../../harness/client/metrics-scrape.ts';

/** Figures a window reads from the roles' /metrics (always at their opsUrl, stack/info.ts). */

const metricsAt = (opsUrl: string) => `${opsUrl}/metrics`;

const ms = (s: number) => Math.round(s * 1_000_000) / 1000;

/** Row-lock wait and hold of payouts, as the api measures them inside Postgres. */
export class LockProbe {
  #wait: Histogram | undefined;
  #hold: Histogram | undefined;

  constructor(
    private readonly apiOpsUrls: () => string[],
    private readonly operation = 'payout',
  ) {}

  async #read(): Promise<[Histogram, Histogram]> {
    const labels = { operation: this.operation };
    return Promise.all([
      scrapeHistogram(this.apiOpsUrls().map(metricsAt), 'account_lock_wait_seconds', labels),
      scrapeHistogram(this.apiOpsUrls().map(metricsAt), 'account_lock_hold_seconds', labels),
    ]);
  }

  async start(): Promise<void> {
    [this.#wait, this.#hold] = await this.#read();
  }

  /** p50/p99 (ms) of the window, interpolated in the histograms' buckets as PromQL does. */
  async stop(): Promise<{ waitP50: number; waitP99: number; holdP50: number; holdP99: number }> {
    const [wait, hold] = await this.#read();
    const w = this.#wait ? histogramDelta(this.#wait, wait) : wait;
    const h = this.#hold ? histogramDelta(this.#hold, hold) : hold;
    return {
      waitP50: ms(quantile(w, 0.5)),
      waitP99: ms(quantile(w, 0.99)),
      holdP50: ms(quantile(h, 0.5)),
      holdP99: ms(quantile(h, 0.99)),
    };
  }
}

/**
 * Event-loop lag p99 (ms) of a Node role since the previous scrape of its /metrics: prom-client resets
 * its event-loop histogram on every collection, so scrape once to start a window and once to end it.
 */
export async function eventLoopLagP99(opsUrl: string): Promise<number> {
  return ms(await scrapeValue([metricsAt(opsUrl)], 'nodejs_eventloop_lag_p99_seconds'));
}

/** Requests queued for a Postgres connection in a role's pool right now. */
export function poolWaiting(opsUrl: string, pool: string): Promise<number> {
  return scrapeValue([metricsAt(opsUrl)], 'db_pool_connections', { pool, state: 'waiting' });
}

/** Mean duration (ms) of the worker's bank charges between two readings of sum and count. */
export async function bankCallTotals(workerOpsUrls: string[]): Promise<{ sum: number; count: number }> {
  const h = await scrapeHistogram(workerOpsUrls.map(metricsAt), 'bank_call_duration_seconds', {
    operation: 'charge',
  });
  return { sum: h.sum, count: h.count };
}

/**
 * Waits until a freshly started role answers its /metrics: the first collection can be slow (BullMQ
 * loads its scripts for the queue gauge), and a window must not start with a scrape that times out.
 */
export async function metricsReady(opsUrl: string, attempts = 6): Promise<void> {
  for (let i = 1; ; i++) {
    try {
      await scrape(metricsAt(opsUrl));
      return;
    } catch (err) {
      if (i >= attempts)
        throw new Error(
          `${opsUrl}/metrics did not answer after ${attempts} tries: ${(err as Error).message}`,
        );
    }
  }
}
