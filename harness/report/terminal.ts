import { dirname, relative } from 'node:path';
import type { Sample } from '../core/sample.ts';
import { formatFigure } from './figure-format.ts';
import { formatClock, formatCount, formatDuration } from './format.ts';
import { REPORT_FILE, RESULT_FILE, type ScenarioResult } from './result.ts';

/** How many quoted log lines of a failed start the summary repeats (the report holds them all). */
const LOG_LINES_SHOWN = 8;

/** A snapshot of a running scenario, for the progress line. */
export interface ProgressSnapshot {
  scenario: string;
  elapsedMs: number;
  opsPerSec: number;
  ok: number;
  fail: number;
  info: number;
  /** The fault being injected right now, e.g. 'partition api↔postgres', or null. */
  activeFault: string | null;
  /** The runner's newest sample of the service (queue, money in flight, lock wait), when it has one. */
  sample?: Sample | null;
}

/** One line describing a running scenario: no newline, no escape codes. */
export function progressLine(p: ProgressSnapshot): string {
  const fault = p.activeFault ? `fault: ${p.activeFault}` : 'no fault';
  return [
    p.scenario,
    formatClock(p.elapsedMs),
    `${formatCount(p.opsPerSec)} ops/s`,
    `accepted ${formatCount(p.ok)}`,
    `refused ${formatCount(p.fail)}`,
    `unknown ${formatCount(p.info)}`,
    fault,
  ].join('  ');
}

/** Where progress goes: process.stdout, or a fake in tests. */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(chunk: string): unknown;
}

/**
 * Shows progress the way the output can take it: on a TTY one line rewritten in place (`\r`, cut to the
 * terminal width so it never wraps); elsewhere (CI logs, pipes) a plain line every `intervalMs`.
 */
export class Progress {
  private readonly stream: ProgressStream;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private lastPrinted: number | null = null;
  private drawn = false;

  // 5 s: a 10-minute run leaves ~120 lines in a CI log, enough to see when throughput dropped.
  constructor({
    stream = process.stdout,
    intervalMs = 5000,
    now = Date.now,
  }: { stream?: ProgressStream; intervalMs?: number; now?: () => number } = {}) {
    this.stream = stream;
    this.intervalMs = intervalMs;
    this.now = now;
  }

  /** Shows a snapshot: redrawn at once on a TTY, printed only if `intervalMs` passed otherwise. */
  update(p: ProgressSnapshot): void {
    if (this.stream.isTTY) {
      const width = Math.max(1, (this.stream.columns ?? 80) - 1);
      // Cut by code point, not UTF-16 unit, so an emoji at the edge is not split into garbage.
      this.stream.write(`\r${[...progressLine(p)].slice(0, width).join('')}\x1b[K`);
      this.drawn = true;
      return;
    }
    const t = this.now();
    if (this.lastPrinted !== null && t - this.lastPrinted < this.intervalMs) return;
    this.lastPrinted = t;
    this.stream.write(`${progressLine(p)}\n`);
  }

  /** Ends the progress display, showing `last` if given whatever the interval. */
  done(last?: ProgressSnapshot): void {
    if (this.stream.isTTY) {
      if (last) this.update(last);
      if (this.drawn) this.stream.write('\n');
      this.drawn = false;
      return;
    }
    if (last) this.stream.write(`${progressLine(last)}\n`);
  }
}

/** What shows progress: the terminal's Progress, or a demo's narrator. */
export interface ProgressSink {
  update(p: ProgressSnapshot): void;
  done(last?: ProgressSnapshot): void;
}

interface Column {
  header: string;
  align: 'left' | 'right';
  cell(r: ScenarioResult): string;
}

/** What a skipped run's target lacked, by name (each `skipped` entry is `<capability>: <what it is>`). */
export function lacked(r: Pick<ScenarioResult, 'skipped'>): string {
  return (r.skipped ?? []).map((s) => s.split(': ')[0]).join(', ');
}

function checksCell(r: ScenarioResult): string {
  if (r.verdict === 'skipped') return '—';
  const failed = r.checks.filter((c) => !c.valid).length;
  const passed = r.checks.length - failed;
  return failed === 0 ? `${passed} passed` : `${passed} passed, ${failed} failed`;
}

/** Every figure with its unit, " · "-separated, wrapped at `width` with `indent` before each line. */
function figureLines(r: ScenarioResult, indent: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const [name, value] of Object.entries(r.figures)) {
    const item = formatFigure(name, value);
    if (line && indent.length + line.length + 3 + item.length > width) {
      lines.push(`${indent}${line}`);
      line = item;
    } else line = line ? `${line} · ${item}` : item;
  }
  if (line) lines.push(`${indent}${line}`);
  return lines;
}

/** The run directory and its files, the HTML report first (process logs only natively: a target's are its own). */
function filesLine(r: ScenarioResult): string {
  const dir = dirname(r.files.history);
  const names = [
    REPORT_FILE,
    RESULT_FILE,
    relative(dir, r.files.junit),
    relative(dir, r.files.history),
    ...(r.target?.mode === 'black-box' ? [] : [`${relative(dir, r.files.logs)}/`]),
  ];
  return `${dir}/ (${names.join(', ')})`;
}

/**
 * An aligned table of finished runs (scenario, operations by outcome, faults, checks, verdict, time),
 * then every run's figures with their units, what failed, and where each run's files are.
 */
export function summaryTable(results: ScenarioResult[], { width = 110 }: { width?: number } = {}): string {
  const columns: Column[] = [
    { header: 'scenario', align: 'left', cell: (r) => r.scenario },
    { header: 'ops', align: 'right', cell: (r) => formatCount(r.operations.total) },
    { header: 'accepted', align: 'right', cell: (r) => formatCount(r.operations.ok) },
    { header: 'refused', align: 'right', cell: (r) => formatCount(r.operations.fail) },
    { header: 'unknown', align: 'right', cell: (r) => formatCount(r.operations.info) },
    { header: 'faults', align: 'right', cell: (r) => String(r.faults.length) },
    { header: 'checks', align: 'left', cell: checksCell },
    { header: 'verdict', align: 'left', cell: (r) => r.verdict.toUpperCase() },
    { header: 'time', align: 'right', cell: (r) => formatDuration(r.durationMs) },
  ];
  const rows = [columns.map((c) => c.header), ...results.map((r) => columns.map((c) => c.cell(r)))];
  const widths = columns.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  const render = (row: string[]) =>
    row
      .map((cell, i) =>
        columns[i]?.align === 'right' ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0),
      )
      .join('  ')
      .trimEnd();

  const lines = [
    render(rows[0] ?? []),
    render(widths.map((w) => '-'.repeat(w))),
    ...rows.slice(1).map(render),
  ];

  const nameWidth = Math.max(0, ...results.map((r) => r.scenario.length));
  const withFigures = results.filter((r) => Object.keys(r.figures).length > 0);
  if (withFigures.length > 0) {
    lines.push('', 'figures:');
    for (const r of withFigures) {
      const [first = '', ...rest] = figureLines(r, ' '.repeat(nameWidth + 4), width);
      lines.push(`  ${r.scenario.padEnd(nameWidth)}  ${first.trimStart()}`, ...rest);
    }
  }

  const problems: string[] = [];
  for (const r of results) {
    for (const c of r.checks) {
      if (!c.valid) problems.push(`  ${r.scenario}: ${c.name} failed (${c.errorCount} errors)`);
    }
    if (r.error) {
      // A process that failed to start quotes its log's last lines ("  | …"): they say why.
      const [first, ...rest] = r.error.split('\n');
      const quoted = rest.filter((l) => l.startsWith('  | ')).slice(-LOG_LINES_SHOWN);
      problems.push(`  ${r.scenario}: error: ${first}`, ...quoted.map((l) => `    ${l}`));
    }
    for (const why of r.vacuous ?? []) problems.push(`  ${r.scenario}: vacuous: ${why}`);
    if (r.skipped?.length) problems.push(`  ${r.scenario}: skipped: the target lacks ${lacked(r)}`);
  }
  if (problems.length > 0) lines.push('', 'problems:', ...problems);

  if (results.length > 0) {
    lines.push('', 'files:', ...results.map((r) => `  ${r.scenario.padEnd(nameWidth)}  ${filesLine(r)}`));
  }
  return lines.join('\n');
}
