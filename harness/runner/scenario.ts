import type { NativePlan } from '../../contract/native.ts';
import type { BankControl } from '../../fakes/bank/client.ts';
import type { Nemesis } from '../chaos/nemesis.ts';
import type { ApiClient } from '../client/api-client.ts';
import type { CheckResult } from '../core/check-result.ts';
import type { RoleInterval } from '../core/role-timeline.ts';
import type { Capability } from '../target/capabilities.ts';
import type { Target } from '../target/target.ts';
import type { Recorder } from './recorder.ts';

export type Scale = 'ci' | 'full';

/** How the native stack is started for a scenario; a target described by a file runs as it is. */
export type StackPlan = NativePlan;

/** What a run created on the target: the final state is read for these, never for others'. */
export interface RunScope {
  accounts: Set<string>;
  users: Set<string>;
}

/** Everything a running scenario can use. Only the clients (ApiClient, the target's) talk to the service. */
export interface ScenarioContext {
  /** The system under test: its API, state reads, components, links, and natively its extras. */
  target: Target;
  seed: number;
  scale: Scale;
  /** Seeded PRNG: the same seed gives the same workload and fault schedule. */
  rng: () => number;
  recorder: Recorder;
  nemesis: Nemesis;
  api: ApiClient;
  /** faultline's mock bank, which the target charges. */
  bank: BankControl;
  scope: RunScope;
  sabotage: string | null;
  say(line: string): void;
}

export interface ScenarioOutcome {
  checks: CheckResult[];
  figures: Record<string, number>;
  /** Who was primary over the run, for a scenario that watched a replicated store (the report draws it). */
  roles?: RoleInterval[];
}

/** A deliberately broken service variant selftest runs a scenario against, and what must catch it. */
export interface SabotageCase {
  /** A name the service's SABOTAGE variable knows. */
  sabotage: string;
  /** The checks expected to fail; the sabotage counts as caught only when one of these fails. */
  caughtBy: string[];
}

/** One mission: a workload, its faults, and the checks that must hold afterwards. */
export interface Scenario {
  name: string;
  /** One line for `faultline list`. */
  summary: string;
  /** The checks it runs, for `list` and docs/scenarios.md. */
  checks: string[];
  /**
   * The fault kinds its nemesis injects. Each must be injected and hit live work at least once (its
   * evidence), or the run ends `vacuous`: a fault schedule that hit nothing proves nothing.
   */
  faults: string[];
  /**
   * What it needs from a target beyond the API (harness/target/capabilities.ts); on a target without
   * one of them it ends `skipped`, naming what is missing.
   */
  needs: Capability[];
  /** The sabotages selftest runs it against, each with the checks that must catch it. */
  sabotages: SabotageCase[];
  plan(scale: Scale): StackPlan;
  run(ctx: ScenarioContext): Promise<ScenarioOutcome>;
}
