import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BankRejected } from '../../contract/bank.ts';
import { SIGNATURE_HEADER, sign } from '../../contract/bank-signature.ts';
import { BankControl } from './client.ts';
import { startTestBank, type TestBank, tempDataDir } from './test-bank.ts';

const KEY = 'a-shared-signing-key-of-32-chars-or-more';
let bank: TestBank;
let removeDir: () => Promise<void>;
beforeAll(async () => {
  const { dir, remove } = await tempDataDir();
  removeDir = remove;
  bank = await startTestBank({ dataDir: dir, signingKey: KEY });
});
afterAll(async () => {
  await bank?.stop();
  await removeDir?.();
});

const order = { amount: 700, currency: 'EUR', reference: 'signed-1', destination: 'acct-1' };

describe('a bank with a signing key', () => {
  it('serves requests signed with the key', async () => {
    expect(await bank.client.charge({ key: 'signed-k1', ...order })).toMatchObject({ kind: 'charged' });
    expect(await bank.client.lookup('signed-k1')).toMatchObject({ status: 'charged' });
  });

  it('refuses unsigned requests and requests signed with another key (401), charging nothing', async () => {
    const res = await fetch(`${bank.url}/v1/charges`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'signed-k2' },
      body: JSON.stringify({ ...order, reference: 'signed-2' }),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'signature_invalid' });
    const forger = new BankControl({ baseUrl: bank.url, timeoutMs: 2_000, signingKey: 'x'.repeat(40) });
    await expect(forger.charge({ key: 'signed-k3', ...order, reference: 'signed-3' })).rejects.toBeInstanceOf(
      BankRejected,
    );
    expect(await bank.client.chargesFor('signed-2')).toEqual([]);
    expect(await bank.client.chargesFor('signed-3')).toEqual([]);
    expect((await fetch(`${bank.url}/healthz`)).status).toBe(200);
  });

  describe('a captured signed charge, replayed within the clock-skew window', () => {
    const body = JSON.stringify({ ...order, reference: 'captured' });
    const captured = {
      'content-type': 'application/json',
      'idempotency-key': 'captured-k',
      [SIGNATURE_HEADER]: sign(KEY, {
        method: 'POST',
        path: '/v1/charges',
        idempotencyKey: 'captured-k',
        body,
      }),
    };
    const replay = (headers: Record<string, string>) =>
      fetch(`${bank.url}/v1/charges`, { method: 'POST', headers, body });

    it('books the one charge it was signed for, once', async () => {
      expect((await replay(captured)).status).toBe(201);
      expect((await replay(captured)).status).toBe(200); // the bank's own replay of the same key
      expect(await bank.client.chargesFor('captured')).toHaveLength(1);
    });

    it('is refused without its key, or with another one: the key is inside the signature', async () => {
      const { 'idempotency-key': _, ...keyless } = captured;
      for (const headers of [keyless, { ...captured, 'idempotency-key': 'another-key' }]) {
        const res = await replay(headers);
        expect(res.status).toBe(401);
        expect(await res.json()).toMatchObject({ code: 'signature_invalid' });
      }
      expect(await bank.client.chargesFor('captured')).toHaveLength(1);
    });
  });

  it('refuses a charge without a key even when it is signed (400), charging nothing', async () => {
    const res = await bank.client.charge({ ...order, reference: 'keyless' }).catch((err: unknown) => err);
    expect(res).toMatchObject({ name: 'BankRejected', status: 400, code: 'idempotency_key_missing' });
    expect(await bank.client.chargesFor('keyless')).toEqual([]);
  });
});
