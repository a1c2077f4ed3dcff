import { describe, expect, it } from 'vitest';
import { Coalescer } from './coalescer.ts';

/** A call that finishes when the test says so, and remembers when it started. */
function gate<T>() {
  let open!: (v: T) => void;
  const done = new Promise<T>((r) => {
    open = r;
  });
  return { done, open };
}

describe('Coalescer', () => {
  it('shares one execution among callers that arrive before it starts', async () => {
    let shared = 0;
    let runs = 0;
    const c = new Coalescer<string, number>({ onShared: () => shared++ });
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        c.run('k', async () => {
          runs++;
          return 42;
        }),
      ),
    );
    expect(results).toEqual([42, 42, 42, 42, 42]);
    // The first call starts an execution; the next one queues behind it; three share the queued one.
    expect(runs).toBeLessThanOrEqual(2);
    expect(shared + runs).toBe(5);
  });

  it('never hands a caller an execution that started before it arrived', async () => {
    const first = gate<string>();
    const starts: string[] = [];
    const c = new Coalescer<string, string>();
    const a = c.run('k', () => {
      starts.push('a');
      return first.done;
    });
    await Promise.resolve();
    await Promise.resolve();
    // b and c arrive while a's execution runs: they share the NEXT one, not a's.
    const b = c.run('k', async () => {
      starts.push('b');
      return 'second';
    });
    const d = c.run('k', async () => {
      starts.push('d');
      return 'never';
    });
    first.open('first');
    expect(await a).toBe('first');
    expect(await b).toBe('second');
    expect(await d).toBe('second');
    expect(starts).toEqual(['a', 'b']);
    expect(c.size).toBe(0);
  });

  it('keeps keys apart and survives a failed execution', async () => {
    const c = new Coalescer<string, string>();
    const failing = gate<string>();
    const x = c.run('x', () => failing.done.then(() => Promise.reject(new Error('boom'))));
    const y = c.run('y', async () => 'y');
    await Promise.resolve();
    const x2 = c.run('x', async () => 'x again');
    failing.open('');
    await expect(x).rejects.toThrow('boom');
    expect(await y).toBe('y');
    expect(await x2).toBe('x again');
  });
});
