import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChargeRequest } from '../../contract/bank.ts';
import { Charges } from '../../fakes/bank/charges.ts';
import { Ledger } from '../../fakes/bank/ledger.ts';
import { tempDataDir } from '../../fakes/bank/test-bank.ts';
import { bankChargedOnce } from './bank-charged-once.ts';
import { type FinalState, toFinalCharge } from './final-state.ts';
import { finalState, transfer } from './test-fixtures.ts';

/*
 * The bank's records come from the bank's own code (Charges over a real Ledger in a temp directory),
 * so the checker sees exactly the shapes a scenario reads: a void is a tombstone with an empty
 * reference, a charge made without a key has a generated one.
 */
let dir: Awaited<ReturnType<typeof tempDataDir>>;
let ledger: Ledger;
let bank: Charges;

beforeEach(async () => {
  dir = await tempDataDir();
  ledger = await Ledger.open(dir.dir);
  bank = new Charges(ledger);
});
afterEach(async () => {
  await ledger.close();
  await dir.remove();
});

const order = (reference: string, amount: number, destination = 'IBAN-1'): ChargeRequest => ({
  reference,
  amount,
  currency: 'USD',
  destination,
});
const charge = (key: string | undefined, reference: string, amount: number, destination?: string) =>
  bank.charge(key, order(reference, amount, destination), { decline: false });

/** Everything the bank holds, mapped as gatherFinalState maps it. */
const charges = (): FinalState['charges'] => bank.page({ limit: 1_000 }).map(toFinalCharge);

describe('bankChargedOnce', () => {
  it('accepts one charge per settled transfer, with declines and voids (tombstones) besides', async () => {
    await charge('t1', 't1', 10);
    await charge('t1', 't1', 10); // a replay: the bank answers the first record again
    await charge('t2', 't2', 20, 'DECLINE-2');
    await bank.void('t3'); // voided before any charge: the worker's last attempt never got an answer
    const voided = charges().find((c) => c.status === 'voided');
    expect(voided).toMatchObject({ key: 't3', reference: '', amount: 0 });

    const state = finalState({
      transfers: [
        transfer('t1', 'a', 10, 'SETTLED'),
        transfer('t2', 'a', 20, 'FAILED'),
        transfer('t3', 'a', 30, 'FAILED'),
        transfer('t4', 'a', 40, 'PROCESSING'),
      ],
      charges: charges(),
    });
    const result = bankChargedOnce(state);
    expect(result).toMatchObject({ name: 'bank-charged-once', valid: true, errorCount: 0 });
    expect(result.figures).toEqual({
      charges: 3,
      charged: 1,
      settled: 1,
      voids: 1,
      double_charged: 0,
      settled_uncharged: 0,
    });
  });

  it('flags double charges made without a key, the most-charged reference as worst', async () => {
    for (let i = 0; i < 2; i++) await charge(undefined, 't1', 10);
    for (let i = 0; i < 3; i++) await charge(undefined, 't2', 20);
    const state = finalState({
      transfers: [transfer('t1', 'a', 10, 'SETTLED'), transfer('t2', 'a', 20, 'SETTLED')],
      charges: charges(),
    });
    const result = bankChargedOnce(state);
    expect(result).toMatchObject({ valid: false, errorCount: 2, figures: { double_charged: 2 } });
    expect(result.first).toMatchObject({ kind: 'double-charge', reference: 't1', count: 2 });
    expect(result.worst).toMatchObject({ kind: 'double-charge', reference: 't2', count: 3 });
  });

  it('flags a settled transfer never charged, a failed one charged, a wrong amount, a stray reference and a stray void', async () => {
    await charge('t2', 't2', 20);
    await charge('t3', 't3', 31);
    await charge('nobody', 'nobody', 5, 'DECLINE-x');
    await bank.void('not-a-transfer');
    const state = finalState({
      transfers: [
        transfer('t1', 'a', 10, 'SETTLED'),
        transfer('t2', 'a', 20, 'FAILED'),
        transfer('t3', 'a', 30, 'SETTLED'),
      ],
      charges: charges(),
    });
    const result = bankChargedOnce(state);
    expect(result).toMatchObject({
      valid: false,
      errorCount: 5,
      figures: { settled: 2, settled_uncharged: 1, voids: 1 },
    });
    expect(result.first).toMatchObject({ kind: 'unknown-reference', reference: 'nobody' });
    expect(result.last).toMatchObject({ kind: 'amount-mismatch', transferId: 't3', amount: 30, charged: 31 });
  });

  it('finds a settled transfer whose only record is a void uncharged', async () => {
    await bank.void('t1');
    const result = bankChargedOnce(
      finalState({ transfers: [transfer('t1', 'a', 10, 'SETTLED')], charges: charges() }),
    );
    expect(result).toMatchObject({ valid: false, first: { kind: 'settled-uncharged', transferId: 't1' } });
  });
});
