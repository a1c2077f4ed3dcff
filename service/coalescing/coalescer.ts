/**
 * Concurrent calls for the same key share one execution, and every caller gets a result produced by an
 * execution that *started after the caller arrived*: a caller never joins an execution already running
 * (its read may predate a write the caller has seen acknowledged); it joins the next one, queued to
 * start when the running one ends. So at most one execution per key runs at a time, at most one waits,
 * and reads stay as fresh as if each caller had run its own. Not a cache: nothing is kept afterwards.
 */
export class Coalescer<K, V> {
  readonly #running = new Map<K, Promise<V>>();
  readonly #queued = new Map<K, Promise<V>>();
  readonly #onShared: () => void;

  /** `onShared` is called for every caller that shares an execution instead of starting its own. */
  constructor({ onShared = () => {} }: { onShared?: () => void } = {}) {
    this.#onShared = onShared;
  }

  /** Runs `execute` for `key`, or shares the execution every concurrent caller of `key` will get. */
  run(key: K, execute: () => Promise<V>): Promise<V> {
    const queued = this.#queued.get(key);
    if (queued) {
      this.#onShared();
      return queued;
    }
    const running = this.#running.get(key);
    if (!running) return this.#start(key, execute);
    const next = running
      .catch(() => undefined)
      .then(() => {
        this.#queued.delete(key);
        return this.#start(key, execute);
      });
    this.#queued.set(key, next);
    return next;
  }

  /** Executions running or queued right now (for tests). */
  get size(): number {
    return this.#running.size + this.#queued.size;
  }

  #start(key: K, execute: () => Promise<V>): Promise<V> {
    const p = Promise.resolve()
      .then(execute)
      .finally(() => {
        if (this.#running.get(key) === p) this.#running.delete(key);
      });
    this.#running.set(key, p);
    return p;
  }
}
