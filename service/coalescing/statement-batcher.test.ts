import { describe, expect, it } from 'vitest';
import { StatementBatcher, type StatementBatcherOptions } from './statement-batcher.ts';

/** A statement that finishes when the test says so. */
function gate() {
  let open!: () => void;
  const done = new Promise<void>((r) => {
    open = r;
  });
  return { done, open };
}

/** A batcher over fake statements that answer `item * 10` and record what they were sent. */
function batcher(overrides: Partial<StatementBatcherOptions<number, number>> = {}) {
  const sent: { kind: 'one' | 'many'; items: number[] }[] = [];
  const fallbacks: number[] = [];
  const first = gate();
  const b = new StatementBatcher<number, number>({
    maxBatch: 3,
    key: (n) => String(n),
    one: async (n) => {
      sent.push({ kind: 'one', items: [n] });
      if (sent.length === 1) await first.done;
      return n * 10;
    },
    many: async (items) => {
      sent.push({ kind: 'many', items });
      return items.map((n) => n * 10);
    },
    onFallback: (_err, size) => fallbacks.push(size),
    ...overrides,
  });
  return { b, sent, fallbacks, first };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('StatementBatcher', () => {
  it('sends a call that finds nothing in flight at once, alone', async () => {
    const { b, sent, first } = batcher();
    const a = b.run(1);
    await tick();
    expect(sent).toEqual([{ kind: 'one', items: [1] }]);
    first.open();
    expect(await a).toBe(10);
  });

  it('gathers the calls that arrive while a statement is in flight into the next, at most maxBatch', async () => {
    const { b, sent, first } = batcher();
    const answers = [1, 2, 3, 4, 5, 6].map((n) => b.run(n));
    await tick();
    expect(sent).toEqual([{ kind: 'one', items: [1] }]);
    expect(b.waiting).toBe(5);
    first.open();
    expect(await Promise.all(answers)).toEqual([10, 20, 30, 40, 50, 60]);
    expect(sent).toEqual([
      { kind: 'one', items: [1] },
      { kind: 'many', items: [2, 3, 4] },
      { kind: 'many', items: [5, 6] },
    ]);
  });

  it('never puts one key twice in a statement: the repeat waits for the next', async () => {
    const { b, sent, first } = batcher();
    const answers = [1, 2, 2, 3].map((n) => b.run(n));
    first.open();
    expect(await Promise.all(answers)).toEqual([10, 20, 20, 30]);
    expect(sent.slice(1)).toEqual([
      { kind: 'many', items: [2, 3] },
      { kind: 'one', items: [2] },
    ]);
  });

  it('runs each caller of a failed statement of many on its own statement', async () => {
    const { b, sent, fallbacks, first } = batcher({
      many: async (items) => {
        sent.push({ kind: 'many', items });
        throw Object.assign(new Error('lock timeout'), { code: '55P03' });
      },
    });
    const ok = b.run(1);
    const one = b.run(2);
    const bad = b.run(-1);
    const three = b.run(3);
    first.open();
    expect(await ok).toBe(10);
    expect(await one).toBe(20);
    expect(await three).toBe(30);
    expect(await bad).toBe(-10);
    expect(fallbacks).toEqual([3]);
    expect(sent.slice(1)).toEqual([
      { kind: 'many', items: [2, -1, 3] },
      { kind: 'one', items: [2] },
      { kind: 'one', items: [-1] },
      { kind: 'one', items: [3] },
    ]);
  });

  it("hands a caller its own statement's error when it runs alone or in its fallback", async () => {
    const failing = new Error('row busy');
    const { b, first } = batcher({
      one: async (n) => {
        if (n === 1) await first.done;
        if (n === 2) throw failing;
        return n * 10;
      },
      many: async () => {
        throw new Error('batch failed');
      },
    });
    const answers = [1, 2, 3].map((n) => b.run(n).catch((e: Error) => e.message));
    first.open();
    expect(await Promise.all(answers)).toEqual([10, 'row busy', 30]);
    const alone = b.run(2).catch((e: Error) => e);
    expect(await alone).toBe(failing);
  });

  it('falls back when a statement of many answers a different number of items than it was sent', async () => {
    const { b, fallbacks, first } = batcher({ many: async (items) => items.slice(1) });
    const answers = [1, 2, 3].map((n) => b.run(n));
    first.open();
    expect(await Promise.all(answers)).toEqual([10, 20, 30]);
    expect(fallbacks).toEqual([2]);
  });
});
