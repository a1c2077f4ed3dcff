import type { Queue } from 'bullmq';
import type pg from 'pg';
import type { BankClient } from '../../service/bank/client.ts';
import type { Sabotage } from '../../service/config.ts';
import type { PayoutJobData } from '../../service/queue/queues.ts';
import type { Proxies, Stack, Topology } from '../../stack/index.ts';
import type { Nemesis } from '../chaos/nemesis.ts';
import type { ApiClient } from '../client/api-client.ts';
import type { CheckResult } from '../core/check-result.ts';
import type { RoleInterval } from '../core/role-timeline.ts';
import type { Recorder } from './recorder.ts';

export type Scale = 'ci' | 'full';

/** What a scenario needs from the stack. */
export interface StackPlan {
  workers: number;
  /** Run the recon role too. */
  recon: boolean;
  /** Put toxiproxy between the service and Postgres, Redis and the bank. */
  proxies: boolean;
  /** Service environment overrides for every role (timeouts, intervals, bounds). */
  env: Record<string, string>;
  /** `ha` for the failover scenarios (StackOptions.topology); `single` unless set. */
  topology?: Topology;
}

/** Everything a running scenario can use. Only the client (ApiClient) talks to the service's API. */
export interface ScenarioContext {
  stack: Stack;
  proxies: Proxies | null;
  seed: number;
  scale: Scale;
  /** Seeded PRNG: the same seed gives the same workload and fault schedule. */
  rng: () => number;
  recorder: Recorder;
  nemesis: Nemesis;
  api: ApiClient;
  bank: BankClient;
  /** Direct connection to Postgres (not through a proxy), for set-up and the final state. */
  db: pg.Pool;
  /** The payout queue, read directly (not through a proxy). */
  queue: Queue<PayoutJobData>;
  sabotage: Sabotage | null;
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
  sabotage: Sabotage;
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
  /** The sabotages selftest runs it against, each with the checks that must catch it. */
  sabotages: SabotageCase[];
  plan(scale: Scale): StackPlan;
  run(ctx: ScenarioContext): Promise<ScenarioOutcome>;
}
