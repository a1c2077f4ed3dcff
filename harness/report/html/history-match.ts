/**
 * The history lines behind a check's example: a reader of a failed check wants the operations it is
 * about, not a pointer into a file. An example is free-form (each checker picks what helps), so lines
 * are found by what examples carry — identifiers (an idempotency key, a transfer id) and a logical
 * process with a time — and each found operation comes with its invoke or completion.
 */
import type { Op } from '../../core/history.ts';

/** Identifier-like strings: keys and ids, not prose (no spaces) and not short words. */
const ID_LIKE = /^(?=.*[\d-])[\w:.-]{6,}$/;
const TIME_FIELDS = /(^time$|At$|^windowStart$)/;

interface Needles {
  ids: Set<string>;
  times: number[];
  process: number | undefined;
}

function collect(value: unknown, into: Needles, key = '', depth = 0): void {
  if (depth > 4 || value === null || value === undefined) return;
  if (typeof value === 'string') {
    if (ID_LIKE.test(value)) into.ids.add(value);
    return;
  }
  if (typeof value === 'number') {
    if (key === 'process' && Number.isInteger(value)) into.process = value;
    else if (TIME_FIELDS.test(key)) into.times.push(value);
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value.slice(0, 20)) collect(v, into, key, depth + 1);
    return;
  }
  if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) collect(v, into, k, depth + 1);
  }
}

export interface MatchedLines {
  /** Raw history.jsonl lines, in history order. */
  lines: string[];
  /** How many more matched than are shown. */
  more: number;
}

/** The history lines an example refers to, at most `limit` of them. */
export function matchingHistoryLines(example: unknown, ops: Op[], lines: string[], limit = 8): MatchedLines {
  const needles: Needles = { ids: new Set(), times: [], process: undefined };
  collect(example, needles);
  if (needles.ids.size === 0 && needles.times.length === 0) return { lines: [], more: 0 };
  const hit = new Set<number>();
  const quoted = [...needles.ids].map((id) => `"${id}"`);
  ops.forEach((op, i) => {
    const line = lines[i] ?? '';
    const byId = quoted.some((q) => line.includes(q));
    const byTime =
      needles.times.some((t) => Math.abs(op.time - t) < 0.0005) &&
      (needles.process === undefined || op.process === needles.process);
    if (byId || byTime) hit.add(i);
  });
  // Each operation with its other half: an invoke's completion, a completion's invoke.
  for (const i of [...hit]) {
    const op = ops[i] as Op;
    const step = op.type === 'invoke' ? 1 : -1;
    for (let j = i + step; j >= 0 && j < ops.length; j += step) {
      if (ops[j]?.process === op.process) {
        hit.add(j);
        break;
      }
    }
  }
  const sorted = [...hit].sort((a, b) => a - b);
  return {
    lines: sorted.slice(0, limit).map((i) => lines[i] ?? ''),
    more: Math.max(0, sorted.length - limit),
  };
}
