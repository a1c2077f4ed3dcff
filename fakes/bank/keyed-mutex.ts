/**
 * Runs tasks one at a time per key, in arrival order; tasks on different keys run concurrently.
 * The map holds only keys with work queued, so it does not grow with the number of keys ever seen.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `task` once every earlier task for `key` has settled. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const result = (this.tails.get(key) ?? Promise.resolve()).then(task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Number of keys with a task running or queued. */
  get size(): number {
    return this.tails.size;
  }
}
