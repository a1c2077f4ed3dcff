import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { type LoadResult, runOpen, type StageResult } from '../../harness/load/generator.ts';
import { HttpTarget } from '../../harness/load/http-target.ts';
import type { ArrivalPlan } from '../../harness/load/schedule.ts';
import { redisClientOptions } from '../../stack/index.ts';
import { cpuMeter } from '../context.ts';
import { crossings, firstLimitFinding, LIMITS, type StageSignals } from '../first-limit.ts';
import { seedUsers } from '../fixtures.ts';
import { RampMonitor, signalsBetween } from '../probes/ramp-monitor.ts';
import type { Section } from '../section.ts';
import { keyStem, postPayout } from '../workloads.ts';

/**
 * 10,000 concurrent users (design sheet, general-3): that many distinct users, each with its own API
 * key and funded account, paying out in an open-model ramp (Poisson arrivals, each user in turn) with
 * the whole pipeline running, until p99 > 500 ms or more than 0.1 % of requests fail. The knee is the
 * last stage that held; what broke first is named from what was measured along the way (RampMonitor).
 * This section runs last: the backlog it leaves is never drained, so it must not precede another.
 */

const P99_LIMIT_MS = 500;
const ERROR_LIMIT = 0.001;
/**
 * Requests in flight beyond this are dropped (and count as errors): a server that far behind has failed.
 * Each is a socket here and in the api, so it stays well under the open-files limit both inherit.
 */
const MAX_IN_FLIGHT = Math.min(2_000, Math.floor(openFilesLimit() * 0.4));

/** The soft limit on open files (Linux /proc), or 5,000 where it cannot be read. */
function openFilesLimit(): number {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = Number(line?.split(/\s{2,}/)[1]);
    return Number.isFinite(soft) && soft > 0 ? soft : 5_000;
  } catch {
    return 5_000;
  }
}
const FIRST_TARGET_PER_S = 25;
const GROWTH = 1.3;
const STAGES = 20;

/** Stages that each raise the rate by 30 % over `stageS` seconds: 25/s up to ~3,600/s. */
export function rampPlan(stageS: number): ArrivalPlan {
  return {
    startPerS: FIRST_TARGET_PER_S / GROWTH,
    stages: Array.from({ length: STAGES }, (_, i) => ({
      durationS: stageS,
      targetPerS: Math.round(FIRST_TARGET_PER_S * GROWTH ** i),
    })),
  };
}

const errorShare = (s: StageResult) =>
  s.scheduled === 0 ? 0 : (s.completed - s.ok + s.dropped) / s.scheduled;
export const breached = (s: StageResult) => s.latency.p99 > P99_LIMIT_MS || errorShare(s) > ERROR_LIMIT;

const usersLabel = (n: number) => (n % 1000 === 0 ? `${n / 1000}k` : String(n));

export const usersSection: Section = {
  name: 'users_ramp',
  title: 'Concurrent users: open-model ramp until p99 > 500 ms or errors > 0.1 %',
  estimateS: (o) => 5 + 14 * o.rampStageS,
  async once(ctx) {
    await ctx.pipeline.settle({ timeoutMs: 180_000 });
    const n = ctx.opts.users;
    const seedStart = performance.now();
    const users = await seedUsers(ctx.db, { prefix: 'bench-user', count: n });
    const seedS = Math.round(performance.now() - seedStart) / 1000;
    ctx.say(`  ${n} users seeded in ${seedS} s (batched SQL through the service's deposit())`);
    const api = ctx.stack.api;
    if (!api) throw new Error('the stack has no api');
    const cache = new Redis(ctx.stack.redisCache.url, {
      lazyConnect: true,
      ...redisClientOptions(ctx.stack.info(), 'cache'),
    });
    await cache.connect();
    const meter = cpuMeter(ctx);
    const monitor = new RampMonitor({
      apiOpsUrl: api.opsUrl,
      db: ctx.db,
      redis: [ctx.redis, cache],
      cpu: () => meter.read(),
    });
    const target = new HttpTarget(api.url, { maxSockets: MAX_IN_FLIGHT });
    const stem = keyStem('users');
    let result: LoadResult;
    const quietFrom = performance.now();
    monitor.start();
    try {
      // One second of the stack idle first: how busy the machine already is (it is shared).
      await new Promise((r) => setTimeout(r, 1_000));
      const plan = rampPlan(ctx.opts.rampStageS);
      ctx.say(
        `  ramp: ${plan.stages.length} stages of ${ctx.opts.rampStageS} s, +30 % each, from ${FIRST_TARGET_PER_S}/s`,
      );
      result = await runOpen({
        plan,
        spacing: 'poisson',
        seed: 1,
        maxInFlight: MAX_IN_FLIGHT,
        timeoutMs: 10_000,
        request: (i, signal) => {
          const user = users[i % n];
          if (!user) throw new Error('no user');
          return postPayout(target, user, user.accounts[0] as string, `${stem}-${i}`, signal);
        },
        stopWhen: (s) => {
          ctx.say(
            `  stage ${String(s.index + 1).padStart(2)}: offered ${s.offeredPerS.toFixed(0)}/s, ok ${s.achievedPerS.toFixed(0)}/s, ` +
              `p99 ${s.latency.p99} ms, errors ${(errorShare(s) * 100).toFixed(2)} %`,
          );
          return breached(s);
        },
      });
    } finally {
      monitor.stop();
      target.close();
      cache.disconnect();
    }
    const samples = monitor.samples;
    const before = signalsBetween(samples, quietFrom, result.startedAt);
    const stageMs = ctx.opts.rampStageS * 1000;
    const stages = result.stages.map((s) => {
      const from = result.startedAt + s.index * stageMs;
      return { stage: s, signals: signalsBetween(samples, from, from + stageMs) };
    });
    const breach = stages.findIndex((s) => breached(s.stage));
    const held = breach === -1 ? stages : stages.slice(0, breach);
    const knee = held.at(-1)?.stage;
    const watched: StageSignals[] = (breach === -1 ? stages : stages.slice(0, breach + 1)).map((s) => ({
      perS: Math.round(s.stage.achievedPerS),
      signals: s.signals,
    }));
    // A machine already saturated before the ramp says nothing about the ramp: leave it out then.
    const busyBefore = (before?.machineBusyPct ?? 0) >= 90;
    const found = crossings(watched, busyBefore ? LIMITS.filter((l) => l.name !== 'machine CPU') : LIMITS);
    const breachPerS = breach === -1 ? null : Math.round(stages[breach]?.stage.offeredPerS ?? 0);
    const label = usersLabel(n);
    const figures: Record<string, number> = {
      [`users_${label}_knee_per_s`]: Math.round(knee?.achievedPerS ?? 0),
      [`users_${label}_knee_latency_ms_p99`]: knee?.latency.p99 ?? 0,
      ...(breachPerS === null ? {} : { [`users_${label}_breach_offered_per_s`]: breachPerS }),
    };
    const machineNote =
      before && before.machineBusyPct >= 50
        ? ` (the machine was already ${before.machineBusyPct}% busy before the ramp: it is shared)`
        : '';
    return {
      figures,
      findings: { [`users_${label}_first_limit`]: `${firstLimitFinding(found, breachPerS)}${machineNote}` },
      detail: {
        users: n,
        seedSeconds: seedS,
        p99LimitMs: P99_LIMIT_MS,
        errorLimit: ERROR_LIMIT,
        maxInFlight: MAX_IN_FLIGHT,
        machineBusyBeforePct: before?.machineBusyPct ?? null,
        stages: stages.map(({ stage: s, signals }) => ({
          stage: s.index + 1,
          targetPerS: s.targetPerS,
          offeredPerS: s.offeredPerS,
          achievedPerS: s.achievedPerS,
          latencyMs: s.latency,
          errors: s.completed - s.ok,
          dropped: s.dropped,
          breached: breached(s),
          signals,
        })),
        crossings: found,
      },
    };
  },
};
