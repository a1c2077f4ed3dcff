import { appendFileSync } from 'node:fs';

/**
 * A run's events as JSON lines: `events.jsonl` in the run directory (Alloy tails it in the compose
 * stack) and, when a Loki address is given, pushed to Loki as they happen. Ids (the run id) stay in the
 * line; the Loki labels are bounded: job, scenario and level.
 */

export const EVENTS_FILE = 'events.jsonl';

export type RunEventName =
  | 'run_started'
  | 'stack_ready'
  | 'fault_injected'
  | 'fault_healed'
  | 'check_finished'
  | 'run_finished'
  | 'report_failed';

export interface RunEvent {
  time: string;
  level: 'info' | 'warn' | 'error';
  event: RunEventName;
  scenario: string;
  runId: string;
  msg: string;
  [field: string]: unknown;
}

/** The Loki label set of a run's events. */
export function lokiLabels(event: Pick<RunEvent, 'scenario' | 'level'>): Record<string, string> {
  return { job: 'faultline-runner', scenario: event.scenario, level: event.level };
}

/** The body of one POST to Loki's push API for `events`, grouped into streams by label set. */
export function lokiPushBody(events: RunEvent[]): {
  streams: Array<{ stream: Record<string, string>; values: [string, string][] }>;
} {
  const streams = new Map<string, { stream: Record<string, string>; values: [string, string][] }>();
  for (const e of events) {
    const stream = lokiLabels(e);
    const key = JSON.stringify(stream);
    const entry = streams.get(key) ?? { stream, values: [] };
    // Loki wants nanoseconds since the epoch, as a string.
    entry.values.push([`${BigInt(Date.parse(e.time)) * 1_000_000n}`, JSON.stringify(e)]);
    streams.set(key, entry);
  }
  return { streams: [...streams.values()] };
}

export async function pushToLoki(baseUrl: string, events: RunEvent[], timeoutMs = 5_000): Promise<void> {
  const res = await fetch(`${baseUrl}/loki/api/v1/push`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(lokiPushBody(events)),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = await res.text();
  if (!res.ok) throw new Error(`loki answered ${res.status}: ${body.trim().slice(0, 300)}`);
}

/** Appends one event to the events file, synchronously so an interrupted run keeps what it logged. */
export function appendEvent(file: string, event: RunEvent): void {
  appendFileSync(file, `${JSON.stringify(event)}\n`);
}
