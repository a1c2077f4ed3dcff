import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBank, type TestBank, tempDataDir } from '../fakes/bank/test-bank.ts';
import { repoRoot } from '../lib/repo-root.ts';
import { SIGNATURE_HEADER, sign } from './bank-signature.ts';
import { type Answer, misfits } from './openapi-fit.ts';

const document = JSON.parse(readFileSync(join(repoRoot, 'contract/bank.openapi.json'), 'utf8'));
const KEY = 'a-signing-key-of-at-least-32-characters';
let plain: TestBank;
let signed: TestBank;
const removers: Array<() => Promise<void>> = [];
beforeAll(async () => {
  for (const signingKey of [undefined, KEY]) {
    const { dir, remove } = await tempDataDir();
    removers.push(remove);
    const bank = await startTestBank({
      dataDir: dir,
      timeoutHoldMs: 50,
      ...(signingKey ? { signingKey } : {}),
    });
    if (signingKey) signed = bank;
    else plain = bank;
  }
});
afterAll(async () => {
  await plain?.stop();
  await signed?.stop();
  for (const remove of removers) await remove();
});

/** One request to a bank, as the answer the document is checked against. */
async function call(
  bank: TestBank,
  method: string,
  template: string,
  path: string,
  opts: { body?: unknown; key?: string; signingKey?: string } = {},
): Promise<Answer> {
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  const headers: Record<string, string> = payload ? { 'content-type': 'application/json' } : {};
  if (opts.key) headers['idempotency-key'] = opts.key;
  if (opts.signingKey)
    headers[SIGNATURE_HEADER] = sign(opts.signingKey, {
      method,
      path,
      idempotencyKey: opts.key,
      body: payload ?? '',
    });
  const res = await fetch(`${bank.url}${path}`, { method, headers, body: payload });
  return { method, path: template, status: res.status, body: await res.json() };
}

const order = (reference: string, destination = 'IBAN-1') => ({
  amount: 700,
  currency: 'EUR',
  reference,
  destination,
});

describe("the mock bank's real answers fit contract/bank.openapi.json", () => {
  it('every status of a charge, a lookup and a void', async () => {
    const answers: Answer[] = [];
    const charge = (body: unknown, key?: string, bank = plain) =>
      call(bank, 'POST', '/v1/charges', '/v1/charges', { body, ...(key ? { key } : {}) });
    answers.push(await charge(order('r-1'), 'k-1')); // 201
    answers.push(await charge(order('r-1'), 'k-1')); // 200 replayed
    answers.push(await charge(order('r-2', 'DECLINE-1'), 'k-2')); // 402
    answers.push(await charge({ ...order('r-1'), amount: 1 }, 'k-1')); // 422
    answers.push(await charge({ amount: -1 }, 'k-3')); // 400
    answers.push(await call(plain, 'POST', '/v1/charges/{key}/void', '/v1/charges/k-4/void')); // 200 voided
    answers.push(await charge(order('r-4'), 'k-4')); // 409 charge_voided
    answers.push(await call(plain, 'POST', '/v1/charges/{key}/void', '/v1/charges/k-1/void')); // 409 already_charged
    answers.push(await call(plain, 'GET', '/v1/charges/{key}', '/v1/charges/k-1')); // 200
    answers.push(await call(plain, 'GET', '/v1/charges/{key}', '/v1/charges/never')); // 404
    await plain.client.setFaults({ errorRate: 1 });
    answers.push(await charge(order('r-5'), 'k-5')); // 503
    await plain.client.setFaults({ timeoutRate: 1 });
    answers.push(await charge(order('r-6'), 'k-6')); // 504
    await plain.client.setFaults({});
    answers.push(await charge(order('r-7'), 'k-7', signed)); // 401: not signed
    answers.push(
      await call(signed, 'POST', '/v1/charges', '/v1/charges', { body: order('r-8'), signingKey: KEY }),
    ); // 400: signed, but no key
    expect(answers.map((a) => a.status)).toEqual([
      201, 200, 402, 422, 400, 200, 409, 409, 200, 404, 503, 504, 401, 400,
    ]);
    expect(answers.flatMap((a) => misfits(document, a))).toEqual([]);
  });

  it('and the check can fail: an answer the document does not allow is named', () => {
    expect(
      misfits(document, { method: 'GET', path: '/v1/charges/{key}', status: 200, body: { charge: {} } }),
    ).not.toEqual([]);
    expect(misfits(document, { method: 'GET', path: '/v1/charges/{key}', status: 418, body: {} })).toEqual([
      'GET /v1/charges/{key} → 418: a status the operation does not list',
    ]);
  });
});
