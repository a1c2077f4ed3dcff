import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BankControl } from './client.ts';
import { startBank } from './server.ts';
import { startTestBank, tempDataDir } from './test-bank.ts';

let dir: string;
let removeDir: () => Promise<void>;

beforeEach(async () => {
  ({ dir, remove: removeDir } = await tempDataDir());
});

afterEach(async () => {
  await removeDir();
});

const order = { key: 'k-durable', amount: 700, currency: 'GBP', reference: 'tr-durable', destination: null };

describe('bank lifecycle', () => {
  it('keeps charges and voids across a restart on the same data dir', async () => {
    const first = await startTestBank({ dataDir: dir });
    const { charge } = await first.client.charge(order);
    const tombstone = await first.client.void('k-voided');
    await first.stop();

    const second = await startTestBank({ dataDir: dir });
    try {
      expect(await second.client.lookup(order.key)).toEqual(charge);
      expect(await second.client.charge(order)).toEqual({ kind: 'charged', charge, replayed: true });
      expect((await second.client.charge({ ...order, key: 'k-voided' })).kind).toBe('voided');
      expect(await second.client.lookup('k-voided')).toEqual(tombstone);
      expect(await second.client.chargesFor(order.reference)).toEqual([charge]);
      expect((await second.client.stats()).charged).toEqual({ count: 1, amount: 700 });
    } finally {
      await second.stop();
    }
  });

  it('stops promptly while a timeout fault holds a request, which then gets 504', async () => {
    // A hold far beyond the test's timeout: stop() returning at all shows it did not wait for it.
    const bank = await startTestBank({ dataDir: dir, timeoutHoldMs: 600_000 });
    await bank.client.setFaults({ timeoutRate: 1 });
    const patient = new BankControl({ baseUrl: bank.url, timeoutMs: 30_000 });
    const held = patient.charge(order).catch((err: unknown) => err);
    await new Promise((resolve) => setTimeout(resolve, 50));

    await bank.stop();
    expect(await held).toMatchObject({ name: 'BankUnavailable', reason: 'timeout' });
  });

  it('refuses to start on a port that is taken, and releases the ledger', async () => {
    const bank = await startTestBank({ dataDir: dir });
    try {
      const clash = startBank({
        dataDir: dir,
        host: '127.0.0.1',
        port: bank.port,
        seed: 1,
        log: pino({ level: 'silent' }),
      });
      await expect(clash).rejects.toThrow(/already in use/);
    } finally {
      await bank.stop();
    }
  });
});
