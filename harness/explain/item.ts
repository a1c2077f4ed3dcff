/**
 * One item of the design sheet (docs/interview-prep.md): a cross-question or an answer, with
 * faultline's answer and what measures it. The items live in items/, one file per section of the sheet.
 */

export type Section =
  | 'Databases'
  | 'Redis & caching'
  | 'BullMQ & background jobs'
  | 'General system design'
  | 'Answers';

/**
 * A figure a measure reports, by where it is found in the measuring run:
 * - `lock_wait_ms_p99`: a run figure (result.json `figures`);
 * - `check:exact-debits.debited`: a check's figure (`.errors` is its errorCount);
 * - `sampled:queue_waiting_max`: from the run's samples.jsonl (harness/report/sample-summary.ts);
 * - `finding:users_10k_first_limit`: a bench finding, in words.
 */
export type FigureRef = string;

export type Measure =
  /**
   * A scenario of `npm run faultline -- run <scenario>`; with `tls`, its `--tls` runs only; with
   * `sabotage`, its selftest runs against that sabotage only (what the broken variant lost).
   */
  | { kind: 'scenario'; scenario: string; tls?: boolean; sabotage?: string; figures: FigureRef[] }
  /** A section of `npm run bench` (its result.json: bench/result.ts). */
  | { kind: 'bench'; section: string; figures: FigureRef[] };

export interface Item {
  /** Stable and short: `db-1`, `redis-4`, `jobs-2`, `general-8`, `answer-7`. */
  id: string;
  section: Section;
  /** Its number inside the sheet's section. */
  number: number;
  /** As the sheet asks it. */
  question: string;
  /** faultline's answer, true to the code, in a few sentences. */
  answer: string;
  /** What measures it, best first. Empty when nothing does yet: then `unmeasured` says what would. */
  measures: Measure[];
  /** Why nothing measures it yet and what would; where the evidence is instead. */
  unmeasured?: string;
}
