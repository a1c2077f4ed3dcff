import { complete, unknownsResolved } from '../checkers/index.ts';
import { limitedCleanly } from '../checkers/limited-cleanly.ts';
import { queriesBounded } from '../checkers/queries-bounded.ts';
import { rateLimitHeld } from '../checkers/rate-limit-held.ts';
import { scrapeValue } from '../client/metrics-scrape.ts';
import { ReadClient } from '../client/read-client.ts';
import { gatherLookups } from '../runner/final-state.ts';
import type { Scenario } from '../runner/scenario.ts';
import { fundedAccounts } from '../runner/setup.ts';
import { sleep } from '../runner/workload.ts';

/** Concurrent callers, each asking again the moment it has an answer: far beyond 10 a second. */
const CALLERS = 16;
/** The limit is per user across processes: two API processes share one window in Redis. */
const API_PROCESSES = 2;
/**
 * The callers hammer in bursts this long, each followed by a pause longer than the window, so the
 * limit is tested the moment a quiet window ends (a burst after an idle pause), not only under a
 * steady hammer.
 */
const BURST_MS = 1_500;

/**
 * One user asks for their balance as fast as sixteen callers can, in bursts after idle pauses, through
 * two API processes. The
 * limiter must admit no more than its limit in any window, refuse the rest cleanly, and so keep the
 * Postgres queries for that balance bounded by the limit, not by the request rate.
 */
export const balanceHammer: Scenario = {
  name: 'balance-hammer',
  summary:
    'one user asks for their balance far faster than allowed, in bursts after idle pauses, through two API processes',
  checks: ['rate-limit-held', 'limited-cleanly', 'balance-queries-bounded', 'unknowns-resolved'],
  faults: [],
  // Two API processes sharing one window, the limit the service is configured with, and the balance
  // queries counted in the API processes' metrics.
  needs: ['users', 'funding', 'state', 'native:spawn-api', 'native:settings'],
  sabotages: [{ sabotage: 'non-atomic-limiter', caughtBy: ['rate-limit-held'] }],
  plan: () => ({ workers: 1, recon: false, proxies: false, env: {} }),
  async run(ctx) {
    const seconds = ctx.scale === 'full' ? 40 : 8;
    const rule = ctx.target.native.settings.balanceReads;
    const apis = await ctx.target.apis(API_PROCESSES);
    const urls = apis.flatMap((a) => (a.metrics ? [a.metrics] : []));
    const clients = apis.map((a) => new ReadClient(a.url));
    const [account] = await fundedAccounts(ctx, 1, 1_000);
    if (!account) throw new Error('no account');

    const queriesBefore = await scrapeValue(urls, 'balance_queries_total');
    const sharedBefore = await scrapeValue(urls, 'balance_reads_coalesced_total');
    ctx.say(
      `hammering one balance with ${CALLERS} callers for ${seconds} s; limit ${rule.limit}/${rule.windowMs} ms`,
    );
    const started = Date.now();
    const stopAt = started + seconds * 1_000;
    await Promise.all(
      Array.from({ length: CALLERS }, async (_, c) => {
        const process = ctx.recorder.process();
        const client = clients[c % clients.length] as ReadClient;
        while (Date.now() < stopAt) {
          const idle = idleLeft(Date.now() - started, rule.windowMs);
          if (idle > 0) {
            await sleep(idle);
            continue;
          }
          await ctx.recorder.run(process, 'balance-read', { accountId: account.accountId }, () =>
            client.balance(account.apiKey, account.accountId),
          );
        }
      }),
    );
    const durationMs = Date.now() - started;
    const queries = (await scrapeValue(urls, 'balance_queries_total')) - queriesBefore;
    const shared = (await scrapeValue(urls, 'balance_reads_coalesced_total')) - sharedBefore;

    const ops = complete(ctx.recorder.ops);
    const held = rateLimitHeld(ops, { f: 'balance-read', limit: rule.limit, windowMs: rule.windowMs });
    const asked = held.figures?.asked ?? 0;
    const admitted = held.figures?.admitted ?? 0;
    return {
      checks: [
        held,
        limitedCleanly(ops, { f: 'balance-read' }),
        queriesBounded({ queries, admitted, asked, ...rule, durationMs }),
        unknownsResolved(await gatherLookups(ctx), ops),
      ],
      figures: {
        asked,
        asked_per_s: Math.round((asked * 1000) / durationMs),
        admitted,
        admitted_per_s: Math.round((admitted * 10_000) / durationMs) / 10,
        limit: rule.limit,
        window_ms: rule.windowMs,
        peak_admitted_in_window: held.figures?.peak_admitted_in_window ?? 0,
        balance_queries: queries,
        coalesced_reads: shared,
      },
    };
  },
};

/** How long the callers still pause at `elapsedMs` into the run: 0 during a burst. */
function idleLeft(elapsedMs: number, windowMs: number): number {
  const period = BURST_MS + Math.ceil(windowMs * 1.2);
  const t = elapsedMs % period;
  return t < BURST_MS ? 0 : period - t;
}
