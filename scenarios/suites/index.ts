import type { Scenario } from '../core/scenario.ts';
import { doubleDebit } from './double-debit.ts';
import { workerKill } from './worker-kill.ts';

/** Every scenario, in the order the default suite runs them. */
export const scenarios: Scenario[] = [doubleDebit, workerKill];

export const DEFAULT_SUITE = scenarios.map((s) => s.name);
