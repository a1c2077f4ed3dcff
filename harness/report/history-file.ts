import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Op } from '../core/history.ts';
import { HISTORY_FILE } from './result.ts';
import { historyLineProblems } from './schema.ts';

/** Appends ops to a JSON-lines history file as they happen. */
export interface HistoryWriter {
  readonly path: string;
  /** Writes one op as one line, immediately. */
  append(op: Op): void;
  close(): void;
}

/**
 * Opens (truncating) a history file for streaming. Each op is written with one synchronous write, so the
 * history on disk is complete up to the last op even if the harness itself crashes mid-run.
 */
export function openHistoryWriter(path: string): HistoryWriter {
  mkdirSync(dirname(path), { recursive: true });
  let fd: number | null = openSync(path, 'w');
  return {
    path,
    append(op) {
      if (fd === null) throw new Error(`history ${path} is closed; cannot append op ${op.index}`);
      writeSync(fd, `${JSON.stringify(op, jsonSafe)}\n`);
    },
    close() {
      if (fd !== null) closeSync(fd);
      fd = null;
    },
  };
}

/** Writes a whole history to `history.jsonl` in `dir` and returns its path. */
export function writeHistory(dir: string, ops: Iterable<Op>): string {
  const writer = openHistoryWriter(join(dir, HISTORY_FILE));
  try {
    for (const op of ops) writer.append(op);
  } finally {
    writer.close();
  }
  return writer.path;
}

/** Reads a history file back, failing on the first line that is not an op (naming its line number). */
export function readHistory(path: string): Op[] {
  const ops: Op[] = [];
  const lines = readFileSync(path, 'utf8').split('\n');
  lines.forEach((line, i) => {
    if (line === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw new Error(`${path}:${i + 1}: not JSON (${(e as Error).message})`);
    }
    const problems = historyLineProblems(value);
    if (problems.length > 0) throw new Error(`${path}:${i + 1}: not an op: ${problems.join('; ')}`);
    ops.push(value as Op);
  });
  return ops;
}

/** Response bodies may carry bigints (Postgres bigint columns): keep them as strings rather than throw. */
function jsonSafe(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
