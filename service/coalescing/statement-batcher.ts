interface Waiting<I, O> {
  item: I;
  resolve(answer: O): void;
  reject(err: unknown): void;
}

export interface StatementBatcherOptions<I, O> {
  /** Items one statement takes at most. */
  maxBatch: number;
  /** An item's identity: two items of one key never go in the same statement. */
  key(item: I): string;
  /** The statement for one item: what a caller alone would run. */
  one(item: I): Promise<O>;
  /** The statement for many items (two or more): one answer per item, in their order. */
  many(items: I[]): Promise<O[]>;
  /** Called with the size of every statement sent. */
  onStatement?(size: number): void;
  /** Called when a statement of many failed and its callers fall back to one statement each. */
  onFallback?(err: unknown, size: number): void;
}

/**
 * Calls that arrive while a statement is in flight wait and go together in the next one, at most
 * `maxBatch` in arrival order: one round trip, one transaction, one commit flush for all of them. A call
 * that finds nothing in flight goes at once, alone, on `one` (an idle caller waits for no company and
 * no timer), so a batch is only ever as large as the concurrency that is really there. Each caller gets
 * exactly its own answer. When a statement of many fails (a row held past the lock timeout, a deadlock,
 * anything), each of its callers runs `one` for itself, so one item's trouble fails no other's call;
 * a statement of one fails its caller as `one` does. An item whose key is already in the statement being
 * formed waits for the next, so a statement never holds one key twice.
 *
 * Unlike Coalescer (same folder), which shares one execution among callers of one key, this one
 * gathers callers of different keys into one execution and hands each its own answer.
 */
export class StatementBatcher<I, O> {
  #queue: Waiting<I, O>[] = [];
  #inFlight = false;

  constructor(private readonly opts: StatementBatcherOptions<I, O>) {}

  /** Runs `item` in the next statement (at once when none is in flight); its own answer, or its error. */
  run(item: I): Promise<O> {
    const answer = new Promise<O>((resolve, reject) => this.#queue.push({ item, resolve, reject }));
    this.#pump();
    return answer;
  }

  /** Calls waiting for a statement right now (for tests). */
  get waiting(): number {
    return this.#queue.length;
  }

  #pump(): void {
    if (this.#inFlight || this.#queue.length === 0) return;
    const batch = this.#take();
    this.#inFlight = true;
    this.opts.onStatement?.(batch.length);
    this.#send(batch).finally(() => {
      this.#inFlight = false;
      this.#pump();
    });
  }

  /** Settles every caller of `batch`; resolves when its statement is done (fallbacks may still run). */
  async #send(batch: Waiting<I, O>[]): Promise<void> {
    if (batch.length === 1) {
      await this.#alone(batch[0] as Waiting<I, O>);
      return;
    }
    let answers: O[];
    try {
      answers = await this.opts.many(batch.map((w) => w.item));
      if (answers.length !== batch.length)
        throw new Error(`a statement of ${batch.length} items answered ${answers.length}`);
    } catch (err) {
      this.opts.onFallback?.(err, batch.length);
      for (const w of batch) void this.#alone(w);
      return;
    }
    for (const [i, w] of batch.entries()) w.resolve(answers[i] as O);
  }

  /** One caller on its own statement; settles it either way. */
  #alone(w: Waiting<I, O>): Promise<void> {
    return Promise.resolve()
      .then(() => this.opts.one(w.item))
      .then(w.resolve, w.reject);
  }

  /** The next statement's callers: up to maxBatch in arrival order, skipping (and keeping) a repeated key. */
  #take(): Waiting<I, O>[] {
    const batch: Waiting<I, O>[] = [];
    const held: Waiting<I, O>[] = [];
    const keys = new Set<string>();
    let i = 0;
    for (; i < this.#queue.length && batch.length < this.opts.maxBatch; i++) {
      const w = this.#queue[i] as Waiting<I, O>;
      const key = this.opts.key(w.item);
      if (keys.has(key)) {
        held.push(w);
        continue;
      }
      keys.add(key);
      batch.push(w);
    }
    this.#queue = [...held, ...this.#queue.slice(i)];
    return batch;
  }
}
