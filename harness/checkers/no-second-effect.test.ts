import { describe, expect, it } from 'vitest';
import { noSecondEffect } from './no-second-effect.ts';
import { op } from './test-fixtures.ts';

const created = (f: string, key: string, id: string) =>
  op(f, { request: { idempotencyKey: key }, status: 201, body: { id } });

describe('noSecondEffect', () => {
  it('accepts retries that all name the same payout; info retries may have happened', () => {
    const ops = [
      created('payout', 'k1', 't1'),
      created('replay', 'k1', 't1'),
      op('payout', { type: 'info', request: { idempotencyKey: 'k1' } }),
      created('payout', 'k2', 't2'),
      op('replay', {
        request: { idempotencyKey: 'k2' },
        status: 409,
        body: { code: 'idempotency_key_in_flight' },
      }),
    ];
    const result = noSecondEffect(ops);
    expect(result).toMatchObject({ name: 'no-second-effect', valid: true, errorCount: 0 });
    expect(result.figures).toEqual({ keys: 2, acknowledged: 3, keys_with_second_effect: 0 });
  });

  it('flags a key acknowledged with two different payout ids', () => {
    const ops = [
      created('payout', 'k1', 't1'),
      created('replay', 'k1', 't9'),
      created('payout', 'k2', 't2'),
      created('payout', 'k3', 'a'),
      created('replay', 'k3', 'b'),
      created('replay', 'k3', 'c'),
    ];
    const result = noSecondEffect(ops);
    expect(result).toMatchObject({ valid: false, errorCount: 2, figures: { keys_with_second_effect: 2 } });
    expect(result.first).toEqual({ idempotencyKey: 'k1', ids: ['t1', 't9'] });
    expect(result.worst).toEqual({ idempotencyKey: 'k3', ids: ['a', 'b', 'c'] });
  });
});
