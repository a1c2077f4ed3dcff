/** Numbers and durations for people reading a terminal: short, and stable in width where it matters. */

const UNITS: Array<[number, string]> = [
  [1e9, 'G'],
  [1e6, 'M'],
  [1e3, 'k'],
];

/** A compact number: 950, 12.5, 1.2k, 34k, 5.6M. */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  for (const [size, unit] of UNITS) {
    // Round first so 999,950 shows as 1M rather than 1000k.
    if (Number(abs.toPrecision(3)) >= size) return `${trim(n / size)}${unit}`;
  }
  return trim(n);
}

function trim(n: number): string {
  const abs = Math.abs(n);
  const digits = abs >= 100 || Number.isInteger(n) ? 0 : abs >= 10 ? 1 : 2;
  return String(Number(n.toFixed(digits)));
}

/** A run duration: 850ms, 12.3s, 2m05s, 1h02m. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const totalSeconds = Math.round(ms / 1000);
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  return h > 0 ? `${h}h${pad2(m)}m` : `${m}m${pad2(s)}s`;
}

/** Elapsed time as a clock, fixed width under an hour: 00:42, 12:05, 1:02:03. */
export function formatClock(ms: number): string {
  const totalSeconds = Math.floor(ms / 1000);
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  return h > 0 ? `${h}:${pad2(m)}:${pad2(s)}` : `${pad2(m)}:${pad2(s)}`;
}

const pad2 = (n: number) => String(n).padStart(2, '0');
