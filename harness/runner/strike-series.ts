import type { ArrivalRecord, LoadResult } from '../load/generator.ts';
import type { ScenarioContext } from './scenario.ts';
import type { FundedAccount } from './setup.ts';
import { steadyPayouts } from './steady-payouts.ts';
import { between, sleep } from './workload.ts';

/** What a strike gets: when the clients give up, and where to leave its burst's promise. */
export interface StrikeTools {
  /** When careful clients stop retrying: 30 s after the last strike, read before each retry. */
  deadline: () => number;
  bursts: Promise<void>[];
}

/** How long clients keep retrying after the last strike, and at most in all. */
const CLIENTS_AFTER_LAST_MS = 30_000;
const CLIENTS_AT_MOST_MS = 300_000;

/**
 * Steady payouts (open model, careful clients retrying unknown outcomes with their keys) and, 2–4 s
 * apart, `count` strikes. A strike that reports the service did not come back ends the series early:
 * more strikes would hit nothing. Resolves once every payout and burst has its answer.
 */
export async function strikeSeries<T>(
  ctx: ScenarioContext,
  opts: {
    accounts: FundedAccount[];
    ratePerS: number;
    keyPrefix: string;
    retryEveryMs: number;
    count: number;
    strike: (k: number, tools: StrikeTools) => Promise<T>;
    cameBack: (result: T) => boolean;
  },
): Promise<{ strikes: T[]; offered: LoadResult; records: readonly ArrivalRecord[] }> {
  const stop = new AbortController();
  let clientsStopAt = Date.now() + CLIENTS_AT_MOST_MS;
  const tools: StrikeTools = { deadline: () => clientsStopAt, bursts: [] };
  const payouts = steadyPayouts(ctx, {
    accounts: opts.accounts,
    ratePerS: opts.ratePerS,
    durationS: CLIENTS_AT_MOST_MS / 1_000,
    signal: stop.signal,
    keyPrefix: opts.keyPrefix,
    careful: { retryEveryMs: opts.retryEveryMs, deadline: tools.deadline },
  });
  const strikes: T[] = [];
  try {
    for (let k = 1; k <= opts.count; k++) {
      await sleep(between(ctx.rng, 2_000, 4_000));
      const result = await opts.strike(k, tools);
      strikes.push(result);
      if (!opts.cameBack(result)) {
        ctx.say(`strike ${k}: the service did not come back; no further strike (the checks will show why)`);
        break;
      }
    }
  } finally {
    clientsStopAt = Math.min(clientsStopAt, Date.now() + CLIENTS_AFTER_LAST_MS);
    stop.abort();
    await Promise.all(tools.bursts);
  }
  return { strikes, offered: await payouts.done, records: payouts.records };
}
