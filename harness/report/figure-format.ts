/**
 * Figures for people: a figure's name carries its unit last (`lock_wait_ms_p99`, `admitted_per_s`,
 * `lock_wait_max_le_ms`; docs/reports.md#figure-names), so its label and unit are read off the name and every renderer
 * (terminal, HTML, explain) shows it the same way: "lock wait p99 313 ms", "lock wait max ≤ 1 s".
 */
import { formatCount } from './format.ts';

export type FigureUnit = 'ms' | 's' | 'per_s' | 'bytes' | 'ratio' | 'pct' | 'cents' | 'count';
export type Bound = 'le' | 'gt' | null;

export interface FigureName {
  /** Words without the unit: "lock wait p99". */
  label: string;
  unit: FigureUnit;
  /**
   * A histogram maximum known only as a bucket bound: `le` (`_le_ms`, at most it: "≤ 1 s"), or `gt`
   * (`_gt_ms`, above the highest finite bucket: "> 100 ms"); null for a plain value.
   */
  bound: Bound;
}

const UNIT_TOKENS: ReadonlySet<string> = new Set(['ms', 's', 'bytes', 'ratio', 'pct', 'cents']);

/** Reads a figure name: its label, its unit and whether it is a bound. */
export function describeFigure(name: string): FigureName {
  const tokens = name.split('_');
  const n = tokens.length;
  if (n >= 3 && tokens[n - 2] === 'per' && tokens[n - 1] === 's') {
    return { label: tokens.slice(0, -2).join(' '), unit: 'per_s', bound: null };
  }
  const at = tokens.findIndex((t, i) => i > 0 && UNIT_TOKENS.has(t));
  if (at === -1) return { label: tokens.join(' '), unit: 'count', bound: null };
  const before = tokens[at - 1];
  const bound: Bound = before === 'le' || before === 'gt' ? before : null;
  const words = [...tokens.slice(0, bound ? at - 1 : at), ...tokens.slice(at + 1)];
  return { label: words.join(' '), unit: tokens[at] as FigureUnit, bound };
}

/** Three significant digits at most, no trailing zeros: 0.123, 12.3, 313. */
function short(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 100 || Number.isInteger(n)) return String(Math.round(n));
  return String(Number(n.toPrecision(3)));
}

function duration(ms: number): string {
  if (Math.abs(ms) < 1000) return `${short(ms)} ms`;
  if (Math.abs(ms) < 60_000) return `${short(ms / 1000)} s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return s === 0 ? `${m} min` : `${m} min ${s} s`;
}

function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${short(v)} ${units[i]}`;
}

/** A value in its unit: "313 ms", "1.2 s", "1.23k/s", "2.1 KiB", "0.85×", "12.5 %", "10k ¢". */
export function formatFigureValue(
  value: number,
  unit: FigureUnit,
  { bound = null }: { bound?: Bound } = {},
): string {
  if (!Number.isFinite(value)) return String(value);
  // Durations and rates are never negative: the scenarios write -1 for "not reached within the deadline".
  if (value < 0 && (unit === 'ms' || unit === 's' || unit === 'per_s')) return 'not reached';
  const text = (() => {
    switch (unit) {
      case 'ms':
        return duration(value);
      case 's':
        return duration(value * 1000);
      case 'per_s':
        return `${formatCount(value)}/s`;
      case 'bytes':
        return bytes(value);
      case 'ratio':
        return `${short(value)}×`;
      case 'pct':
        return `${short(value)} %`;
      case 'cents':
        return `${formatCount(value)} ¢`;
      default:
        return formatCount(value);
    }
  })();
  return bound === 'le' ? `≤ ${text}` : bound === 'gt' ? `> ${text}` : text;
}

/** "lock wait p99 313 ms": a figure's label and value with its unit. */
export function formatFigure(name: string, value: number): string {
  const { label, unit, bound } = describeFigure(name);
  return `${label} ${formatFigureValue(value, unit, { bound })}`;
}

/** The unit as a column heading or axis label would name it. */
export function unitLabel(unit: FigureUnit): string {
  return {
    ms: 'ms',
    s: 's',
    per_s: 'per second',
    bytes: 'bytes',
    ratio: 'ratio',
    pct: '%',
    cents: '¢ (minor units)',
    count: 'count',
  }[unit];
}
