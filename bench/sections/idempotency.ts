import { runClosed } from '../../harness/load/generator.ts';
import { type Measurement, observe } from '../measure.ts';
import type { Section } from '../section.ts';
import { countsOf, keyStem, postTransfer } from '../workloads.ts';

/**
 * What an Idempotency-Key costs: the same internal transfers (POST /v1/transfers, whose key is
 * optional) with a unique key each and without one. With a key the transaction also takes an advisory
 * lock, looks the key up and stores the response; without, it does neither. Transfers leave no outbox
 * row, so the pipeline plays no part.
 */
function transfers(withKeys: boolean): Measurement {
  const name = `idempotency_${withKeys ? 'with' : 'without'}_keys_transfers`;
  return {
    name,
    label: `HTTP transfers between a client's two accounts, ${withKeys ? 'a unique key each' : 'no key'}`,
    pipeline: 'any',
    length: 'short',
    run: (ctx, limits) =>
      observe(ctx, name, async () => {
        const stem = keyStem(name);
        const r = await runClosed({
          clients: ctx.opts.clients,
          durationMs: limits.durationS * 1000,
          timeoutMs: 10_000,
          request: (i, signal, client) => {
            const user = ctx.fixtures.movers[client % ctx.fixtures.movers.length];
            if (!user) throw new Error('no transfer fixture');
            return postTransfer(ctx.api, user, withKeys ? `${stem}-${i}` : null, signal);
          },
        });
        return countsOf(r);
      }),
  };
}

export const idempotencySection: Section = {
  name: 'idempotency',
  title: 'Idempotency cost',
  measurements: [transfers(true), transfers(false)],
  estimateS: (o) => o.rounds * (2 * o.shortS + 2),
  ratios: [
    {
      name: 'idempotency_cost_ratio',
      numerator: 'idempotency_with_keys_transfers_per_s',
      denominator: 'idempotency_without_keys_transfers_per_s',
      what: 'transfers/s with a unique Idempotency-Key each ÷ the same without keys',
    },
  ],
};
