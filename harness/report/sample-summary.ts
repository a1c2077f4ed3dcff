/**
 * Reads a run's samples.jsonl back and sums it up: the peaks a reader asks about (the deepest queue, the
 * most money in flight) and what sampling cost, as figures named like every other (docs/reports.md#figure-names).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Sample } from '../core/sample.ts';
import { SAMPLES_FILE } from './result.ts';

/** The samples of a run directory, oldest first; [] when it has none (an older run, or no stack). */
export function readSamples(dir: string): Sample[] {
  const path = join(dir, SAMPLES_FILE);
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as Sample];
      } catch {
        return []; // a line cut short by a killed run
      }
    });
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** The summary of a run directory's samples, or {} when it has none (nothing was sampled: no figure). */
export function sampledFigures(dir: string): Record<string, number> {
  const samples = readSamples(dir);
  return samples.length ? summarizeSamples(samples) : {};
}

const max = (values: number[]) => (values.length ? Math.max(...values) : 0);

/** Peaks and sampling cost; every figure is 0 when no sample had that part. */
export function summarizeSamples(samples: Sample[]): Record<string, number> {
  const queues = samples.flatMap((s) => (s.queue ? [s.queue] : []));
  const inFlight = samples.flatMap((s) => (s.inFlight ? [s.inFlight] : []));
  const gaps = samples.slice(1).map((s, i) => s.t - (samples[i] as Sample).t);
  return {
    samples: samples.length,
    queue_waiting_max: max(queues.map((q) => q.waiting)),
    queue_active_max: max(queues.map((q) => q.active)),
    queue_delayed_max: max(queues.map((q) => q.delayed)),
    in_flight_transfers_max: max(inFlight.map((f) => f.transfers)),
    in_flight_max_cents: max(inFlight.map((f) => f.amountCents)),
    sample_interval_ms_p50: median(gaps),
    sample_cost_ms_p50: median(samples.map((s) => s.costMs)),
    sample_cost_ms_max: max(samples.map((s) => s.costMs)),
  };
}
