import type { Queue } from 'bullmq';
import type pg from 'pg';
import type { PayoutJobData } from '../service/queue/queues.ts';
import type { ServiceHandle } from '../stack/index.ts';

/**
 * The payout pipeline behind the API — relay, worker(s), recon — as the bench drives it: frozen with
 * SIGSTOP so that only the API+DB path runs, thawed with SIGCONT, and waited on until every payout is
 * settled. A frozen process keeps its connections and answers nothing; it is frozen only when idle
 * (after settle()), so it never holds a job whose lock could expire meanwhile.
 */
export class Pipeline {
  #paused = false;

  constructor(
    private readonly roles: readonly ServiceHandle[],
    private readonly db: pg.Pool,
    private readonly queue: Queue<PayoutJobData>,
  ) {}

  get paused(): boolean {
    return this.#paused;
  }

  /** The relay, worker and recon processes this controls. */
  get processes(): readonly ServiceHandle[] {
    return this.roles;
  }

  pause(): void {
    for (const p of this.roles) p.kill('SIGSTOP');
    this.#paused = true;
  }

  resume(): void {
    for (const p of this.roles) p.kill('SIGCONT');
    this.#paused = false;
  }

  /**
   * Payouts PENDING or PROCESSING: the predicate of the partial index bank_transfers_open_idx, so the
   * count reads only open rows however many have settled (it is polled while drains are timed).
   */
  async open(): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM bank_transfers WHERE status IN ('PENDING', 'PROCESSING')",
    );
    return rows[0]?.n ?? 0;
  }

  /** Payouts still waiting for the relay. */
  async unpublished(): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM bank_transfers WHERE published_at IS NULL',
    );
    return rows[0]?.n ?? 0;
  }

  /**
   * Resumes if paused (unless `resume` is false: someone else does the work) and waits until every
   * payout is terminal and the queue is empty; `progress` hears the open count every few seconds.
   * Throws after `timeoutMs`.
   */
  async settle({
    timeoutMs,
    progress,
    resume = true,
  }: {
    timeoutMs: number;
    progress?: (open: number) => void;
    resume?: boolean;
  }): Promise<number> {
    if (this.#paused && resume) this.resume();
    const start = performance.now();
    let told = start;
    for (;;) {
      const open = await this.open();
      if (open === 0) {
        const c = await this.queue.getJobCounts('waiting', 'active', 'delayed');
        if ((c.waiting ?? 0) + (c.active ?? 0) + (c.delayed ?? 0) === 0) return performance.now() - start;
      }
      const now = performance.now();
      if (now - start > timeoutMs) {
        throw new Error(`the pipeline did not settle within ${Math.round(timeoutMs / 1000)} s: ${open} open`);
      }
      if (progress && now - told >= 5_000) {
        told = now;
        progress(open);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
