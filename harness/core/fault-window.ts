/** One fault the nemesis injected, from injection to heal (ms since run start). */
export interface FaultWindow {
  /** What kind of fault: 'kill', 'partition', 'latency', 'bank-fault', ... */
  kind: string;
  /** What it hit: a role, a proxy, a link. */
  target: string;
  startedAt: number;
  /** null when the run ended before the heal was recorded. */
  endedAt: number | null;
  note?: string;
  /** What live work the fault hit, read when it was healed; absent when the fault cannot tell. */
  evidence?: FaultEvidence;
}

/** Evidence that a fault hit live work: how much (active jobs, requests in flight, faults fired) and what. */
export interface FaultEvidence {
  hits: number;
  what: string;
}
