import type { NativeHa } from '../../contract/native.ts';
import { killRedisMaster } from '../chaos/failover-faults.ts';
import type { Fault } from '../chaos/nemesis.ts';
import { commitBurst } from '../runner/commit-burst.ts';
import { requireHa } from '../runner/failover-watch.ts';
import type { ScenarioContext } from '../runner/scenario.ts';
import type { FundedAccount } from '../runner/setup.ts';
import { sleep } from '../runner/workload.ts';
import { QUEUE_LOSS_ENV, redisOutage } from './redis-outage.ts';

/** How long the Sentinels may take to promote the replica before the figure says they did not. */
const FAILOVER_WITHIN_MS = 60_000;
/** Each bank call takes this long around the kill: a burst's jobs are still queued or active at the kill. */
const BANK_LATENCY_MS = 200;
/** From a burst armed to its jobs published: the relay is woken by the API's hint, or polls every 200 ms. */
const PUBLISH_MS = 300;

/** What one Redis failover measured. */
interface RedisFailover {
  /** From the kill until the Sentinels named another master (-1: not within FAILOVER_WITHIN_MS). */
  failoverMs: number;
  /** Jobs of transfers published before the kill, still open then, that the new master did not have. */
  jobsLost: number;
  /** Transfers published before the kill and still open: the jobs that were at stake. */
  jobsAtStake: number;
}

/**
 * The kill of the queue Redis's master, measured. It is aimed: the bank slowed so jobs stay in the queue
 * a while, and a burst of payouts fired and published first, so the master holds jobs it has just been
 * given. Then: how long until the Sentinels name the promoted replica, and which of the jobs at stake
 * the new master lacks (replication is asynchronous: whatever the old master had not yet sent is gone,
 * and the outbox and recon must make up for it).
 */
function measuredKill(
  ctx: ScenarioContext,
  ha: NativeHa,
  accounts: FundedAccount[],
): Fault & { figures: () => Promise<Record<string, number>> } {
  const kill = killRedisMaster(ha, 'queue');
  const queue = ctx.target.native.queue;
  let measuring: Promise<RedisFailover> | undefined;
  let burst: Promise<void> | undefined;
  return {
    ...kill,
    inject: async () => {
      await ctx.bank.setFaults({ seed: ctx.seed, latencyMs: BANK_LATENCY_MS });
      const fired = commitBurst(ctx, {
        accounts,
        perAccount: 2,
        keyPrefix: `rf-${ctx.seed}-burst`,
        deadline: () => Date.now() + 60_000,
      });
      burst = fired.done;
      await fired.armed;
      await sleep(PUBLISH_MS);
      const atStake = await queue.publishedOpen();
      const killedAt = Date.now();
      await kill.inject();
      measuring = (async () => {
        const victim = kill.victim();
        let failoverMs = -1;
        while (Date.now() - killedAt < FAILOVER_WITHIN_MS) {
          const master = await ha.redisMaster('queue');
          if (master && master !== victim) {
            failoverMs = Date.now() - killedAt;
            break;
          }
          await sleep(100);
        }
        let jobsLost = 0;
        for (const id of atStake) if (!(await queue.hasJob(id))) jobsLost++;
        return { failoverMs, jobsLost, jobsAtStake: atStake.length };
      })();
    },
    heal: async () => {
      await ctx.bank.setFaults({});
      await kill.heal();
    },
    figures: async (): Promise<Record<string, number>> => {
      await burst;
      const m = await measuring;
      if (!m) return {};
      return {
        redis_failover_ms: m.failoverMs,
        jobs_lost_by_failover: m.jobsLost,
        jobs_at_stake: m.jobsAtStake,
      };
    },
  };
}

/**
 * Steady payouts (open model) on the `ha` topology while the queue Redis's master is SIGKILLed: the
 * Sentinels promote its replica, and every role (BullMQ included) and the harness find the new master
 * through them. Jobs the old master had not replicated are lost by design; the outbox, relay and recon
 * must still settle every payout exactly once. The heal restarts the old master, which the Sentinels
 * turn into a replica.
 */
export const redisFailover = redisOutage({
  name: 'redis-failover',
  summary:
    'steady payouts on the ha topology while the queue Redis master is SIGKILLed; Sentinel promotes its replica',
  plan: {
    topology: 'ha',
    workers: 1,
    recon: true,
    proxies: false,
    env: QUEUE_LOSS_ENV,
  },
  sabotages: [{ sabotage: 'pinned-redis-master', caughtBy: ['queue-drained', 'all-terminal'] }],
  kind: 'kill',
  // The Sentinels' master of the queue Redis killed, and the jobs the promoted replica lacks counted.
  needs: ['native:ha', 'native:queue'],
  fault: async (ctx, accounts) => measuredKill(ctx, requireHa(ctx), accounts),
});
