import { randomUUID } from 'node:crypto';
import { type LoadResult, type RequestFn, runClosed } from '../harness/load/generator.ts';
import { type HttpTarget, httpOutcome } from '../harness/load/http-target.ts';
import type { BenchContext } from './context.ts';
import type { BenchUser } from './fixtures.ts';
import type { LoadCounts, MeasureLimits } from './measure.ts';

/**
 * The HTTP workloads of the throughput measurements: 1-cent payouts or transfers, each with a unique
 * Idempotency-Key (unless a measurement leaves keys out on purpose), over keep-alive connections.
 */

/** A unique key stem per measurement run, so no two requests of a bench ever share a key. */
export const keyStem = (name: string) => `bench-${name}-${randomUUID().slice(0, 8)}`;

/** POST /v1/payouts of 1 cent from `account` of `user`; ok only on 201. */
export function postPayout(
  api: HttpTarget,
  user: BenchUser,
  account: string,
  key: string,
  signal: AbortSignal,
): ReturnType<RequestFn> {
  return httpOutcome(
    api.call({
      method: 'POST',
      path: '/v1/payouts',
      headers: { authorization: `Bearer ${user.apiKey}`, 'idempotency-key': key },
      json: { accountId: account, amount: 1, currency: 'USD', destination: 'IBAN-BENCH' },
      signal,
    }),
    [201],
  );
}

/** The counts a measurement keeps from a generator run. */
export function countsOf(r: LoadResult): LoadCounts {
  const errorKinds = { ...r.errors, ...(r.dropped > 0 ? { dropped: r.dropped } : {}) };
  return {
    ok: r.ok,
    errors: r.completed - r.ok + r.dropped,
    errorKinds,
    perS: (r.ok * 1000) / Math.max(r.elapsedMs, 1),
    latency: r.latency,
  };
}

/**
 * `clients` closed-model clients for the measurement's duration (or until maxRequests), client c
 * paying out from `accountOf(c, i)`: pgbench's model without --rate, for the most the path can do.
 */
export async function closedPayouts(
  ctx: BenchContext,
  name: string,
  limits: MeasureLimits,
  accountOf: (client: number, index: number) => { user: BenchUser; account: string },
): Promise<LoadCounts> {
  const stem = keyStem(name);
  const r = await runClosed({
    clients: ctx.opts.clients,
    durationMs: limits.durationS * 1000,
    ...(limits.maxRequests ? { maxRequests: limits.maxRequests } : {}),
    timeoutMs: 10_000,
    request: (i, signal, client) => {
      const { user, account } = accountOf(client, i);
      return postPayout(ctx.api, user, account, `${stem}-${i}`, signal);
    },
  });
  return countsOf(r);
}
