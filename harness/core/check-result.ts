/**
 * What a checker returns: data, not a bare boolean. `first`, `worst` and `last` are example errors
 * (whatever shape helps a reader find the problem), `figures` are numbers worth reporting.
 */
export interface CheckResult {
  name: string;
  /** What the check guarantees, one sentence, for reports. */
  description: string;
  valid: boolean;
  errorCount: number;
  first?: unknown;
  worst?: unknown;
  last?: unknown;
  figures?: Record<string, number>;
}
