import pg from 'pg';
import type { NativeHa } from '../../contract/native.ts';
import type { DirectCommit } from '../checkers/isolated-primary-window.ts';
import type { MemberRole, RoleInterval, RoleSample } from '../core/role-timeline.ts';
import { roleIntervals } from '../core/role-timeline.ts';
import { type FailoverFigures, outcomesDuring } from './failover-figures.ts';
import type { ScenarioContext } from './scenario.ts';
import { sleep } from './workload.ts';

/**
 * Two observers of an `ha` stack's PostgreSQL, both outside the service:
 * - the role watcher asks every member directly, every ROLE_POLL_MS, whether it is in recovery, so the
 *   run has a timeline of who was primary (and a split brain would show as two at once);
 * - the write probe commits a row through HAProxy every WRITE_EVERY_MS, as a client would, so the run
 *   knows how long no primary took writes.
 */

/** How often each member is asked: fine enough to place a failover within a quarter second. */
const ROLE_POLL_MS = 250;
const WRITE_EVERY_MS = 100;
/** An answer slower than this counts as none: a member that cannot answer a trivial query is not serving. */
const ANSWER_MS = 1_000;
/** How long a direct commit may wait for its acknowledgment: longer than Patroni's TTL (10 s). */
const COMMIT_WAIT_MS = 15_000;

export interface WriteAttempt {
  invokedAt: number;
  /** null: refused, failed or unanswered within ANSWER_MS. */
  okAt: number | null;
}

export interface FailoverWatch {
  readonly samples: RoleSample[];
  readonly writes: WriteAttempt[];
  intervals(): RoleInterval[];
  /** The first member seen primary at or after `t` other than `except`, and when. */
  newPrimaryAfter(t: number, except: string): { member: string; at: number } | undefined;
  /** From `t` to the first write through HAProxy that was started after `t` and committed (ms), or -1. */
  writableAfter(t: number): number;
  stop(): Promise<void>;
}

/** Resolves `promise`, or rejects after `ms`. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A client that reconnects after any failure; `run` answers within `answerMs` or throws. */
class Reconnecting {
  #client: pg.Client | undefined;

  constructor(
    private readonly url: string,
    private readonly answerMs = ANSWER_MS,
  ) {}

  async run<T extends pg.QueryResultRow>(sql: string): Promise<T[]> {
    try {
      if (!this.#client) {
        const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: ANSWER_MS });
        client.on('error', () => {});
        this.#client = client;
        await within(client.connect(), ANSWER_MS);
      }
      return (await within(this.#client.query<T>(sql), this.answerMs)).rows;
    } catch (err) {
      this.close();
      throw err;
    }
  }

  close(): void {
    // Not awaited: end() waits for a query that may never be answered.
    void this.#client?.end().catch(() => {});
    this.#client = undefined;
  }
}

/** Starts both observers; stop() ends them. */
export async function watchFailover(ctx: ScenarioContext): Promise<FailoverWatch> {
  const ha = requireHa(ctx);
  const setup = new Reconnecting(ha.url, COMMIT_WAIT_MS);
  try {
    await setup.run(
      'CREATE TABLE IF NOT EXISTS faultline_write_probe (id bigserial PRIMARY KEY, at timestamptz)',
    );
  } finally {
    setup.close();
  }
  const samples: RoleSample[] = [];
  const writes: WriteAttempt[] = [];
  let running = true;
  const clients: Reconnecting[] = [];

  const watchMember = async (member: string) => {
    const client = new Reconnecting(ha.memberUrl(member));
    clients.push(client);
    while (running) {
      let role: MemberRole = 'down';
      try {
        const rows = await client.run<{ recovery: boolean }>('SELECT pg_is_in_recovery() AS recovery');
        role = rows[0]?.recovery === false ? 'primary' : 'standby';
      } catch {
        // Refused, starting up, or not answering: not serving.
      }
      samples.push({ t: ctx.recorder.now(), member, role });
      await sleep(ROLE_POLL_MS);
    }
  };

  const probeWrites = async () => {
    const client = new Reconnecting(ha.url);
    clients.push(client);
    while (running) {
      const attempt: WriteAttempt = { invokedAt: ctx.recorder.now(), okAt: null };
      writes.push(attempt);
      try {
        await client.run('INSERT INTO faultline_write_probe (at) VALUES (now())');
        attempt.okAt = ctx.recorder.now();
      } catch {
        // No primary behind HAProxy right now, or the commit waited too long.
      }
      await sleep(WRITE_EVERY_MS);
    }
  };

  const loops = [...ha.members.map(watchMember), probeWrites()];
  return {
    samples,
    writes,
    intervals: () => roleIntervals(samples),
    newPrimaryAfter(t, except) {
      const seen = samples.find((s) => s.t >= t && s.role === 'primary' && s.member !== except);
      return seen ? { member: seen.member, at: seen.t } : undefined;
    },
    writableAfter(t) {
      const first = writes.find((w) => w.invokedAt >= t && w.okAt !== null);
      return first?.okAt != null ? Math.round(first.okAt - t) : -1;
    },
    async stop() {
      running = false;
      await Promise.all(loops);
      for (const c of clients) c.close();
    },
  };
}

/**
 * Milliseconds from `since` (Date.now()) until the API answers /readyz again after a fault made it
 * unready (0 when it never went unready within `noticeMs`), or -1 when it is not back within `withinMs`.
 * With `wentDown`, the caller knows it was unready (its dependency was down until healed).
 */
export async function apiReadyAgain(
  ctx: ScenarioContext,
  opts: { since: number; wentDown?: boolean; noticeMs?: number; withinMs?: number },
): Promise<number> {
  const { since, noticeMs = 3_000, withinMs = 90_000 } = opts;
  let sawUnready = opts.wentDown ?? false;
  while (Date.now() - since < withinMs) {
    const ready = await ctx.api.ready();
    if (!ready) sawUnready = true;
    else if (sawUnready) return Date.now() - since;
    else if (Date.now() - since > noticeMs) return 0;
    await sleep(50);
  }
  return -1;
}

/**
 * Commits on one member directly (not through HAProxy), one after the other, as a client that still
 * reaches a cut-off primary would: what it acknowledges after the cut is the isolated primary's commit
 * window. A commit may wait COMMIT_WAIT_MS for its acknowledgment (past Patroni's TTL, so a late one is
 * seen, not given up on).
 */
export function commitDirectly(
  ctx: ScenarioContext,
  member: string,
): { commits: DirectCommit[]; stop(): Promise<void> } {
  const client = new Reconnecting(requireHa(ctx).memberUrl(member), COMMIT_WAIT_MS);
  const commits: DirectCommit[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const commit: DirectCommit = { invokedAt: ctx.recorder.now(), acknowledgedAt: null };
      commits.push(commit);
      try {
        await client.run('INSERT INTO faultline_write_probe (at) VALUES (now())');
        commit.acknowledgedAt = ctx.recorder.now();
      } catch {
        // Refused (demoted, read-only), terminated at the demotion, or never acknowledged.
      }
      await sleep(WRITE_EVERY_MS);
    }
  })();
  return {
    commits,
    async stop() {
      running = false;
      await loop;
      client.close();
    },
  };
}

/** The stack's ha parts (native:ha); throws when the scenario's plan forgot `topology: 'ha'`. */
export function requireHa(ctx: ScenarioContext): NativeHa {
  const ha = ctx.target.native.ha;
  if (!ha) throw new Error('this scenario needs the ha topology (plan().topology)');
  return ha;
}

/**
 * What one failover measured, from the watchers and the history: `at` is the fault's injection (the
 * recorder's clock), `apiReadyMs` what apiReadyAgain found. Read after the heal: the role watcher polls,
 * and may see the new primary a little after the API does.
 */
export function failoverFigures(
  ctx: ScenarioContext,
  watch: FailoverWatch,
  strike: { member: string; at: number; acknowledgedBefore: number; apiReadyMs: number },
): FailoverFigures {
  const { member, at, apiReadyMs } = strike;
  const elected = watch.newPrimaryAfter(at, member);
  return {
    member,
    acknowledgedLastSecond: strike.acknowledgedBefore,
    newPrimaryMs: elected ? Math.round(elected.at - at) : -1,
    writableMs: watch.writableAfter(at),
    apiReadyMs,
    ...outcomesDuring(ctx.recorder.ops, at, apiReadyMs >= 0 ? at + apiReadyMs : ctx.recorder.now()),
  };
}
