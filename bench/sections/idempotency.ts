import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { runClosed } from '../../harness/load/generator.ts';
import { type Measurement, observe } from '../measure.ts';
import type { Section } from '../section.ts';
import { countsOf, keyStem } from '../workloads.ts';

/** Any request hash will do: each key is new, so the function never compares it with a stored one. */
const REQUEST_HASH = randomBytes(32);

/**
 * What an Idempotency-Key costs the database: the same internal transfers of 1 cent between a client's
 * two accounts, through the service's own transfer_funds(), with a unique key each and without one. With
 * a key the transaction also takes an advisory lock, looks the key up and stores the response; without,
 * it does neither. SQL-level on purpose: the API requires a key on every money-moving request, so the
 * keyless leg exists only below it. Transfers leave no outbox row, so the pipeline plays no part.
 */
function transfers(withKeys: boolean): Measurement {
  const name = `idempotency_${withKeys ? 'with' : 'without'}_keys_transfers`;
  return {
    name,
    label: `transfer_funds() between a client's two accounts, ${withKeys ? 'a unique key each' : 'no key'}`,
    pipeline: 'any',
    length: 'short',
    run: (ctx, limits) =>
      observe(ctx, name, async () => {
        const stem = keyStem(name);
        const pool = new pg.Pool({
          connectionString: ctx.stack.postgres.url,
          max: ctx.opts.clients,
          application_name: 'bench-idempotency',
        });
        try {
          const r = await runClosed({
            clients: ctx.opts.clients,
            durationMs: limits.durationS * 1000,
            timeoutMs: 10_000,
            request: async (i, _signal, client) => {
              const user = ctx.fixtures.movers[client % ctx.fixtures.movers.length];
              if (!user) throw new Error('no transfer fixture');
              const [from, to] = user.accounts;
              const { rows } = await pool.query<{ outcome: string }>(
                'SELECT outcome FROM transfer_funds($1, $2, $3, 1, $4, $5, $6, 5000)',
                [user.userId, from, to, 'USD', withKeys ? `${stem}-${i}` : null, REQUEST_HASH],
              );
              const outcome = rows[0]?.outcome;
              return outcome === 'created' ? { ok: true } : { ok: false, error: outcome ?? 'no row' };
            },
          });
          return countsOf(r);
        } finally {
          await pool.end();
        }
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
      what: 'transfer_funds() calls/s with a unique Idempotency-Key each ÷ the same without keys',
    },
  ],
};
