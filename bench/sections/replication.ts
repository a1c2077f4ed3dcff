import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { HttpTarget } from '../../harness/load/http-target.ts';
import { FRAUD_RULES_WIDE_OPEN } from '../../service/fraud/rules.ts';
import { type PatroniMember, type Stack, startStack } from '../../stack/index.ts';
import type { BenchContext } from '../context.ts';
import { seedUsers } from '../fixtures.ts';
import { type MeasureResult, observe } from '../measure.ts';
import type { Section } from '../section.ts';
import { median } from '../summary.ts';
import { closedPayouts } from '../workloads.ts';

/**
 * What replication costs a payout (design sheet, General Q2): the API path on a Patroni cluster of the
 * `ha` topology (behind HAProxy) with a synchronous standby (a commit waits for the standby's flush),
 * with asynchronous standbys only, and with none running; legs alternate inside each round, in a
 * rotated order (sync async none, async none sync, …), on one cluster whose synchronous_mode is switched
 * through Patroni's REST API and whose standbys are stopped for `none`. Per leg: payouts/s and latency
 * from closed-model clients on one account each, fsyncs and WAL bytes per payout (the primary's
 * pg_stat_wal), and each ratio to the synchronous leg within its round.
 */

export type ReplicationLeg = 'sync' | 'async' | 'none';
export const REPLICATION_LEGS: readonly ReplicationLeg[] = ['sync', 'async', 'none'];
/** Figure names per leg (CONTRACTS §1): `replication_<leg>_<figure>`; bench/figure-names.ts lists them. */
export const REPLICATION_LEG_FIGURES = [
  'payouts_per_s',
  'latency_ms_p50',
  'latency_ms_p99',
  'fsyncs_per_payout',
  'wal_bytes_per_payout',
  'cpu_ms_per_payout_postgres',
] as const;
/** The ratios of each leg to the synchronous one, medians over the rounds. */
export const REPLICATION_RATIOS = [
  'replication_async_vs_sync_throughput_ratio',
  'replication_none_vs_sync_throughput_ratio',
  'replication_sync_vs_async_p99_ratio',
  'replication_sync_vs_none_p99_ratio',
] as const;

const WAIT_MS = 90_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The leader's view of its standbys: how many stream, and how many synchronously. */
async function streaming(stack: Stack): Promise<{ leader?: PatroniMember; streaming: number; sync: number }> {
  const cluster = (stack.ha as NonNullable<Stack['ha']>).postgres.cluster;
  const leader = await cluster.leader();
  const status = await leader?.status();
  const replicas = status?.replication.filter((r) => r.state === 'streaming') ?? [];
  return {
    ...(leader ? { leader } : {}),
    streaming: replicas.length,
    sync: replicas.filter((r) => r.sync).length,
  };
}

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(250);
  }
  throw new Error(`replication bench: ${what} not within ${WAIT_MS / 1000} s`);
}

/** Puts the cluster in `leg`'s shape and waits until the leader shows it. */
async function enter(stack: Stack, leg: ReplicationLeg): Promise<void> {
  const cluster = (stack.ha as NonNullable<Stack['ha']>).postgres.cluster;
  if (leg !== 'none') {
    for (const m of cluster.members) if (!m.running) await m.start();
  }
  await cluster.setSynchronousMode(leg === 'sync');
  if (leg === 'none') {
    const { leader } = await streaming(stack);
    await Promise.all(cluster.members.filter((m) => m !== leader).map((m) => m.stop()));
  }
  const standbys = cluster.members.length - 1;
  await until(`the ${leg} shape`, async () => {
    const s = await streaming(stack);
    if (leg === 'none') return s.streaming === 0;
    return s.streaming === standbys && s.sync === (leg === 'sync' ? 1 : 0);
  });
}

export interface LegRun {
  round: number;
  leg: ReplicationLeg;
  result: MeasureResult;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

export const replicationSection: Section = {
  name: 'replication',
  title: 'Replication: payouts with a synchronous standby, an asynchronous one, and none (ha topology)',
  // A cluster of its own (~20 s), then three legs per round plus the switches (a standby restart each).
  estimateS: (o) => 25 + o.rounds * 3 * (o.durationS + 6),
  async once(ctx) {
    ctx.say('  starting an ha stack (Patroni, etcd, HAProxy, Sentinel) with a bank and an api');
    const stack = await startStack({
      topology: 'ha',
      roles: ['bank', 'api'],
      env: { ...FRAUD_RULES_WIDE_OPEN },
      log: (line) => appendFileSync(join(ctx.runDir, 'bench.log'), `  replication stack: ${line}\n`),
    });
    const db = new pg.Pool({ connectionString: stack.postgres.url, max: 4, application_name: 'bench' });
    db.on('error', () => {});
    const api = new HttpTarget((stack.api as { url: string }).url, { maxSockets: 64 });
    const runs: LegRun[] = [];
    try {
      const payers = await seedUsers(db, { prefix: 'bench-replication', count: ctx.opts.clients });
      const haCtx: BenchContext = { ...ctx, stack, db, api, fixtures: { ...ctx.fixtures, payers } };
      for (let r = 0; r < ctx.opts.rounds; r++) {
        const order = REPLICATION_LEGS.map((_, i) => REPLICATION_LEGS[(i + r) % REPLICATION_LEGS.length]);
        for (const leg of order as ReplicationLeg[]) {
          await enter(stack, leg);
          const name = `replication_${leg}`;
          const result = await observe(haCtx, name, () =>
            closedPayouts(haCtx, name, { durationS: ctx.opts.durationS }, (client) => {
              const user = payers[client % payers.length];
              if (!user) throw new Error('no payer fixture');
              return { user, account: user.accounts[0] as string };
            }),
          );
          ctx.say(
            `  round ${r + 1} ${leg.padEnd(5)} ${result.perS.toFixed(0)} payouts/s · p99 ${result.latency.p99} ms · ` +
              `${result.fsyncsPerOp} fsyncs and ${result.walBytesPerOp} WAL bytes per payout`,
          );
          runs.push({ round: r, leg, result });
        }
      }
    } finally {
      api.close();
      await db.end().catch(() => {});
      await stack.stop();
    }
    return summarizeReplication(runs);
  },
};

/** Medians per leg, and each leg's ratio to the synchronous one inside its round, then their median. */
export function summarizeReplication(runs: readonly LegRun[]) {
  const figures: Record<string, number> = {};
  const ofLeg = (leg: ReplicationLeg) => runs.filter((r) => r.leg === leg).map((r) => r.result);
  for (const leg of REPLICATION_LEGS) {
    const rs = ofLeg(leg);
    const med = (pick: (r: MeasureResult) => number) => round3(median(rs.map(pick)));
    figures[`replication_${leg}_payouts_per_s`] = med((r) => r.perS);
    figures[`replication_${leg}_latency_ms_p50`] = med((r) => r.latency.p50);
    figures[`replication_${leg}_latency_ms_p99`] = med((r) => r.latency.p99);
    figures[`replication_${leg}_fsyncs_per_payout`] = med((r) => r.fsyncsPerOp);
    figures[`replication_${leg}_wal_bytes_per_payout`] = med((r) => r.walBytesPerOp);
    figures[`replication_${leg}_cpu_ms_per_payout_postgres`] = med((r) => r.cpuMsPerOp.postgres ?? 0);
  }
  const rounds = [...new Set(runs.map((r) => r.round))];
  const perRound = (pick: (by: Record<ReplicationLeg, MeasureResult>) => number) =>
    rounds.map((round) => {
      const by = Object.fromEntries(runs.filter((r) => r.round === round).map((r) => [r.leg, r.result]));
      return pick(by as Record<ReplicationLeg, MeasureResult>);
    });
  const ratio = (a: number, b: number) => (b > 0 ? a / b : 0);
  const ratios: Record<(typeof REPLICATION_RATIOS)[number], number[]> = {
    replication_async_vs_sync_throughput_ratio: perRound((b) => ratio(b.async.perS, b.sync.perS)),
    replication_none_vs_sync_throughput_ratio: perRound((b) => ratio(b.none.perS, b.sync.perS)),
    replication_sync_vs_async_p99_ratio: perRound((b) => ratio(b.sync.latency.p99, b.async.latency.p99)),
    replication_sync_vs_none_p99_ratio: perRound((b) => ratio(b.sync.latency.p99, b.none.latency.p99)),
  };
  const ranges: Record<string, [number, number]> = {};
  for (const [name, values] of Object.entries(ratios)) {
    figures[name] = round3(median(values));
    ranges[name] = [round3(Math.min(...values)), round3(Math.max(...values))];
  }
  const range = (name: string) => `${ranges[name]?.[0]}–${ranges[name]?.[1]}`;
  const finding =
    `a synchronous standby: ${figures.replication_sync_payouts_per_s} payouts/s at p99 ${figures.replication_sync_latency_ms_p99} ms; ` +
    `asynchronous standbys ${figures.replication_async_vs_sync_throughput_ratio}× its throughput (${range('replication_async_vs_sync_throughput_ratio')}), ` +
    `no standby ${figures.replication_none_vs_sync_throughput_ratio}× (${range('replication_none_vs_sync_throughput_ratio')}); ` +
    `its p99 is ${figures.replication_sync_vs_async_p99_ratio}× the asynchronous one's and ${figures.replication_sync_vs_none_p99_ratio}× no standby's. ` +
    'The synchronous commit waits for one more fsync, on the standby: the price of losing no acknowledged payout in a failover';
  return {
    figures,
    findings: { replication: finding },
    detail: {
      legs: runs.map((r) => ({
        round: r.round + 1,
        leg: r.leg,
        perS: round3(r.result.perS),
        latency: r.result.latency,
        fsyncsPerOp: r.result.fsyncsPerOp,
        walBytesPerOp: r.result.walBytesPerOp,
        cpuMsPerOp: r.result.cpuMsPerOp,
      })),
      ratios: Object.fromEntries(Object.entries(ratios).map(([k, v]) => [k, v.map(round3)])),
    },
  };
}
