import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Op } from '../core/history.ts';
import { openHistoryWriter, readHistory, writeHistory } from './history-file.ts';

const ops: Op[] = [
  { index: 0, process: 1, type: 'invoke', f: 'payout', value: { amount: 5, destination: 'a\nb"' }, time: 0 },
  { index: 1, process: 1, type: 'info', f: 'payout', value: null, time: 30_000, error: 'timeout' },
];

describe('history file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'faultline-history-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('streams one JSON line per op, on disk before close', () => {
    const writer = openHistoryWriter(join(dir, 'run', 'history.jsonl'));
    writer.append(ops[0] as Op);
    expect(readFileSync(writer.path, 'utf8').split('\n')).toHaveLength(2);
    writer.append(ops[1] as Op);
    writer.close();
    expect(readHistory(writer.path)).toEqual(ops);
    expect(() => writer.append(ops[0] as Op)).toThrow(/closed/);
  });

  it('writes a whole history and keeps bigints as strings', () => {
    const path = writeHistory(dir, [
      { index: 0, process: 0, type: 'ok', f: 'read', value: { balance: 10n }, time: 1 },
    ]);
    expect(path).toBe(join(dir, 'history.jsonl'));
    expect(readHistory(path)[0]?.value).toEqual({ balance: '10' });
  });

  it('names the line that is not an op', () => {
    const path = writeHistory(dir, ops);
    appendFileSync(path, '{"index":2,"process":1,"type":"done","f":"payout","time":1}\n');
    expect(() => readHistory(path)).toThrow(/history\.jsonl:3: not an op: type must be/);
  });
});
