import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registry } from '../metrics.ts';
import { startTestBank, type TestBank, tempDataDir } from '../test/test-bank.ts';
import { BankClient, BankRejected } from './client.ts';

let bank: TestBank;
let removeDir: () => Promise<void>;
let n = 0;
const fresh = (what: string) => `${what}-${++n}-${Date.now()}`;
const order = (reference: string) => ({ amount: 900, currency: 'EUR', reference, destination: 'acct-1' });

beforeAll(async () => {
  const { dir, remove } = await tempDataDir();
  removeDir = remove;
  bank = await startTestBank({ dataDir: dir, clientTimeoutMs: 15_000 });
});
afterAll(async () => {
  bank?.client.close();
  await bank?.stop();
  await removeDir?.();
});

/** bank_calls_total of this process for one operation and outcome. */
async function calls(operation: string, outcome: string): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === 'bank_calls_total');
  const values = (metric as { values?: Array<{ labels: Record<string, string>; value: number }> })?.values;
  return values?.find((v) => v.labels.operation === operation && v.labels.outcome === outcome)?.value ?? 0;
}

describe("the service's bank client", () => {
  it('reads each answer of the protocol: charged, replayed, declined, voided, not found, already charged', async () => {
    const key = fresh('key');
    const first = await bank.client.charge({ key, ...order(fresh('tr')) });
    expect(first).toMatchObject({ kind: 'charged', replayed: false, charge: { key, status: 'charged' } });
    expect(await bank.client.charge({ key, ...order(first.charge.reference) })).toEqual({
      ...first,
      replayed: true,
    });
    expect(await bank.client.void(key)).toEqual(first.charge);
    const declined = await bank.client.charge({
      key: fresh('key'),
      ...order(fresh('tr')),
      destination: 'DECLINE',
    });
    expect(declined).toMatchObject({ kind: 'declined', charge: { status: 'declined' } });
    const voidedKey = fresh('key');
    expect(await bank.client.lookup(voidedKey)).toBeNull();
    await bank.client.void(voidedKey);
    expect(await bank.client.charge({ key: voidedKey, ...order(fresh('tr')) })).toMatchObject({
      kind: 'voided',
    });
  });

  it('refuses a reused key for good (BankRejected), and counts every call by outcome', async () => {
    const key = fresh('key');
    const reference = fresh('tr');
    await bank.client.charge({ key, ...order(reference) });
    const before = await calls('charge', 'rejected');
    await expect(bank.client.charge({ key, ...order(reference), amount: 1 })).rejects.toBeInstanceOf(
      BankRejected,
    );
    expect(await calls('charge', 'rejected')).toBe(before + 1);
  });

  it('turns an answer that never comes into BankUnavailable (timeout), leaving the outcome to a lookup', async () => {
    await bank.control.setFaults({ latencyMs: 1_000 });
    const impatient = new BankClient({ baseUrl: bank.url, timeoutMs: 100 });
    try {
      await expect(impatient.charge({ key: fresh('key'), ...order(fresh('tr')) })).rejects.toMatchObject({
        name: 'BankUnavailable',
        reason: 'timeout',
      });
    } finally {
      impatient.close();
      await bank.control.setFaults({});
    }
  });
});
