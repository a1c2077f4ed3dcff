import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BankRejected } from '../../contract/bank.ts';
import { startTestBank, type TestBank, tempDataDir } from './test-bank.ts';

let bank: TestBank;
let removeDir: () => Promise<void>;
let n = 0;
/** Unique per test, so tests never see each other's charges. */
const fresh = (what: string) => `${what}-${++n}-${Date.now()}`;

beforeAll(async () => {
  const { dir, remove } = await tempDataDir();
  removeDir = remove;
  // A generous client timeout: nothing here times out on purpose, and 50 concurrent calls on a busy
  // machine can take longer than the default 2 s.
  bank = await startTestBank({ dataDir: dir, clientTimeoutMs: 15_000 });
});

afterAll(async () => {
  await bank?.stop();
  await removeDir?.();
});

const order = (reference: string) => ({ amount: 1_250, currency: 'EUR', reference, destination: 'acct-1' });

describe('idempotency by key', () => {
  it('replays the first charge for a repeated key and charges once', async () => {
    const key = fresh('key');
    const reference = fresh('tr');
    const first = await bank.client.charge({ key, ...order(reference) });
    const second = await bank.client.charge({ key, ...order(reference) });

    expect(first).toMatchObject({ kind: 'charged', replayed: false });
    expect(first.charge).toMatchObject({ key, reference, amount: 1_250, currency: 'EUR', status: 'charged' });
    expect(second).toEqual({ kind: 'charged', charge: first.charge, replayed: true });
    expect(await bank.client.chargesFor(reference)).toEqual([first.charge]);
  });

  it('refuses a repeated key with a different body with 422 idempotency_key_reused', async () => {
    const key = fresh('key');
    const reference = fresh('tr');
    await bank.client.charge({ key, ...order(reference) });
    const reuse = bank.client.charge({ key, ...order(reference), amount: 9_999 });

    await expect(reuse).rejects.toBeInstanceOf(BankRejected);
    await expect(reuse).rejects.toMatchObject({ status: 422, code: 'idempotency_key_reused' });
    expect(await bank.client.chargesFor(reference)).toHaveLength(1);
  });

  it('serializes 50 concurrent requests with one key into exactly one charge', async () => {
    const key = fresh('key');
    const reference = fresh('tr');
    const results = await Promise.all(
      Array.from({ length: 50 }, () => bank.client.charge({ key, ...order(reference) })),
    );

    const ids = new Set(results.map((r) => r.charge.id));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(await bank.client.chargesFor(reference)).toHaveLength(1);
  });

  it('gives every call without a key a charge of its own, all visible by reference', async () => {
    const reference = fresh('tr');
    const a = await bank.client.charge(order(reference));
    const b = await bank.client.charge(order(reference));

    expect(a.charge.id).not.toBe(b.charge.id);
    expect(a.charge.key).not.toBe(b.charge.key);
    const charges = await bank.client.chargesFor(reference);
    expect(charges.map((c) => c.id)).toEqual([a.charge.id, b.charge.id]);
    expect((await bank.client.stats()).byReference.duplicates).toBeGreaterThanOrEqual(1);
  });
});

describe('declines', () => {
  it('records a DECLINE destination as declined and replays the decline', async () => {
    const key = fresh('key');
    const request = { key, ...order(fresh('tr')), destination: 'DECLINE-insufficient' };
    const first = await bank.client.charge(request);
    const again = await bank.client.charge(request);

    expect(first).toMatchObject({ kind: 'declined', replayed: false, charge: { status: 'declined' } });
    expect(again).toEqual({ kind: 'declined', charge: first.charge, replayed: true });
  });
});

describe('void', () => {
  it('voids an unused key so that a later charge with it is refused with charge_voided', async () => {
    const key = fresh('key');
    const voided = await bank.client.void(key);
    const again = await bank.client.void(key);
    const late = await bank.client.charge({ key, ...order(fresh('tr')) });

    expect(voided).toMatchObject({ key, status: 'voided', amount: 0 });
    expect(again).toEqual(voided);
    expect(late).toEqual({ kind: 'voided', charge: voided, replayed: true });
    expect(await bank.client.lookup(key)).toEqual(voided);
  });

  it('cannot void a charged key: returns the charged charge (409 already_charged)', async () => {
    const key = fresh('key');
    const { charge } = await bank.client.charge({ key, ...order(fresh('tr')) });

    expect(await bank.client.void(key)).toEqual(charge);
    expect((await bank.client.lookup(key))?.status).toBe('charged');
  });

  it('leaves a declined key declined', async () => {
    const key = fresh('key');
    const { charge } = await bank.client.charge({ key, ...order(fresh('tr')), destination: 'DECLINE' });

    expect(await bank.client.void(key)).toEqual({ ...charge, status: 'declined' });
  });
});

describe('keys', () => {
  it('carries keys with URL-special characters intact through every route', async () => {
    const key = `payout:${fresh('tr')}/a b?c#d`;
    const { charge } = await bank.client.charge({ key, ...order(fresh('tr')) });

    expect(charge.key).toBe(key);
    expect(await bank.client.lookup(key)).toEqual(charge);
    expect(await bank.client.void(key)).toEqual(charge);
  });
});

describe('reads', () => {
  it('answers null for a key it never saw', async () => {
    expect(await bank.client.lookup(fresh('unknown'))).toBeNull();
  });

  it('pages through every charge in id order', async () => {
    const reference = fresh('tr');
    for (let i = 0; i < 5; i++) await bank.client.charge(order(reference));
    const all = await bank.client.allCharges({ pageSize: 2 });
    const ids = all.map((c) => c.id);

    expect(ids).toEqual([...ids].sort());
    expect(new Set(ids).size).toBe(ids.length);
    expect(all.filter((c) => c.reference === reference)).toHaveLength(5);
  });

  it('rejects a malformed charge with 400 invalid_request', async () => {
    const bad = bank.client.charge({ key: fresh('key'), amount: -5, currency: 'eur', reference: '' });
    await expect(bad).rejects.toMatchObject({ status: 400, code: 'invalid_request' });
  });

  it('answers every error with { code, message }', async () => {
    const res = await fetch(`${bank.url}/v1/charges`, { method: 'POST', body: '{not json' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ code: 'invalid_request', message: expect.any(String) });
    const missing = await fetch(`${bank.url}/v1/nothing-here`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'not_found' });
  });

  it('exposes its own metrics', async () => {
    const text = await (await fetch(`${bank.opsUrl}/metrics`)).text();
    expect((await fetch(`${bank.url}/metrics`)).status).toBe(404);
    expect(text).toMatch(/bank_charges_total\{result="charged"\} \d+/);
    expect(text).toMatch(/bank_requests_total\{route="\/v1\/charges",status="201"\} \d+/);
    expect(text).toContain('process_cpu_user_seconds_total');
  });
});
