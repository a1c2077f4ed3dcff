import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BankRejected, BankUnavailable } from '../../contract/bank.ts';
import { BankControl } from './client.ts';
import { FaultDice, faultsInput } from './faults.ts';
import { startTestBank, type TestBank, tempDataDir } from './test-bank.ts';

describe('fault dice', () => {
  it('rolls the same faults after a reseed with the same seed', () => {
    const dice = new FaultDice(1);
    const config = faultsInput.parse({ seed: 42, errorRate: 0.3, timeoutRate: 0.3, declineRate: 0.5 });
    const rolls = () => {
      dice.set(config);
      return Array.from({ length: 50 }, () => dice.roll());
    };
    const first = rolls();
    expect(rolls()).toEqual(first);
    expect(new Set(first.map((p) => p.fault))).toEqual(new Set(['error', 'timeout', null]));
  });

  it('switches everything off when the config leaves it out', () => {
    const dice = new FaultDice(3);
    dice.set(faultsInput.parse({ errorRate: 1 }));
    dice.set(faultsInput.parse({}));
    expect(dice.config).toEqual({
      seed: 3,
      latencyMs: 0,
      errorRate: 0,
      timeoutRate: 0,
      dropResponseRate: 0,
      declineRate: 0,
      spikeRate: 0,
      spikeMs: 0,
    });
    expect(dice.roll()).toEqual({ latencyMs: 0, spikeMs: 0, fault: null, decline: false });
  });
});

describe('faults over HTTP', () => {
  let bank: TestBank;
  let removeDir: () => Promise<void>;
  let n = 0;
  const fresh = (what: string) => `${what}-${++n}`;
  const order = () => ({ key: fresh('key'), amount: 500, currency: 'USD', reference: fresh('tr') });

  beforeAll(async () => {
    const { dir, remove } = await tempDataDir();
    removeDir = remove;
    bank = await startTestBank({ dataDir: dir, seed: 9 });
  });

  afterAll(async () => {
    await bank?.stop();
    await removeDir?.();
  });

  beforeEach(async () => {
    await bank.client.setFaults({});
  });

  it('error: answers 503 without charging; the client sees BankUnavailable', async () => {
    await bank.client.setFaults({ errorRate: 1 });
    const request = order();

    await expect(bank.client.charge(request)).rejects.toMatchObject({
      name: 'BankUnavailable',
      reason: 'server_error',
    });
    await bank.client.setFaults({});
    expect(await bank.client.lookup(request.key)).toBeNull();
  });

  it('timeout: holds the request without charging until the client gives up', async () => {
    await bank.client.setFaults({ timeoutRate: 1 });
    const impatient = new BankControl({ baseUrl: bank.url, timeoutMs: 150 });
    const request = order();
    const started = Date.now();

    await expect(impatient.charge(request)).rejects.toMatchObject({
      name: 'BankUnavailable',
      reason: 'timeout',
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    await bank.client.setFaults({});
    expect(await bank.client.lookup(request.key)).toBeNull();
  });

  it('dropResponse: commits the charge, then hangs up; a lookup finds it and a retry replays it', async () => {
    await bank.client.setFaults({ dropResponseRate: 1 });
    const request = order();

    const dropped = bank.client.charge(request);
    await expect(dropped).rejects.toBeInstanceOf(BankUnavailable);
    await expect(dropped).rejects.toMatchObject({ reason: 'unreachable' });
    await bank.client.setFaults({});
    const found = await bank.client.lookup(request.key);
    expect(found).toMatchObject({ key: request.key, status: 'charged' });
    expect(await bank.client.charge(request)).toEqual({ kind: 'charged', charge: found, replayed: true });
    expect(await bank.client.chargesFor(request.reference)).toHaveLength(1);
  });

  it('declineRate: declines new charges', async () => {
    await bank.client.setFaults({ declineRate: 1 });
    expect(await bank.client.charge(order())).toMatchObject({
      kind: 'declined',
      charge: { status: 'declined' },
    });
  });

  it('latency: delays the answer', async () => {
    await bank.client.setFaults({ latencyMs: 100 });
    const started = Date.now();
    await bank.client.charge(order());
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
  });

  it('latency spike: holds some requests longer, and charges them even when the client gave up', async () => {
    await bank.client.setFaults({ spikeRate: 1, spikeMs: 400 });
    const impatient = new BankControl({ baseUrl: bank.url, timeoutMs: 100 });
    const request = order();
    await expect(impatient.charge(request)).rejects.toMatchObject({ reason: 'timeout' });
    expect(await bank.client.lookup(request.key)).toBeNull(); // still held
    await new Promise((r) => setTimeout(r, 500));
    expect(await bank.client.lookup(request.key)).toMatchObject({ status: 'charged' });
  });

  it('latency spike: a void while the spiked request is held means it can never charge', async () => {
    await bank.client.setFaults({ spikeRate: 1, spikeMs: 300 });
    const impatient = new BankControl({ baseUrl: bank.url, timeoutMs: 50 });
    const request = order();
    await expect(impatient.charge(request)).rejects.toMatchObject({ reason: 'timeout' });
    expect(await bank.client.void(request.key)).toMatchObject({ status: 'voided' });
    await new Promise((r) => setTimeout(r, 400));
    expect(await bank.client.lookup(request.key)).toMatchObject({ status: 'voided' });
    expect(await bank.client.chargesFor(request.reference)).toEqual([]);
  });

  it('latency spike: only the share spikeRate asks for, by the seeded dice', () => {
    const dice = new FaultDice(1);
    dice.set(faultsInput.parse({ seed: 5, spikeRate: 0.25, spikeMs: 1_000 }));
    const spikes = Array.from({ length: 400 }, () => dice.roll().spikeMs).filter((ms) => ms > 0);
    expect(spikes.every((ms) => ms === 1_000)).toBe(true);
    expect(spikes.length).toBeGreaterThan(60);
    expect(spikes.length).toBeLessThan(140);
  });

  it('same seed, same sequence of requests: same faults', async () => {
    const outcomes = async (seed: number) => {
      await bank.client.setFaults({ seed, errorRate: 0.5 });
      const seen: string[] = [];
      for (let i = 0; i < 20; i++) {
        const result = await bank.client.charge(order()).then(
          (r) => r.kind,
          (err: unknown) => (err instanceof BankUnavailable ? 'unavailable' : 'other'),
        );
        seen.push(result);
      }
      return seen;
    };
    const first = await outcomes(1234);

    expect(first).toContain('charged');
    expect(first).toContain('unavailable');
    expect(await outcomes(1234)).toEqual(first);
    expect(await outcomes(4321)).not.toEqual(first);
  });

  it('shows the config in force, with the bank seed by default', async () => {
    await bank.client.setFaults({ errorRate: 0.25 });
    expect(await bank.client.faults()).toEqual({
      seed: 9,
      latencyMs: 0,
      errorRate: 0.25,
      timeoutRate: 0,
      dropResponseRate: 0,
      declineRate: 0,
      spikeRate: 0,
      spikeMs: 0,
    });
  });

  it('refuses an invalid or misspelt fault config with 400', async () => {
    await expect(bank.client.setFaults({ errorRate: 2 })).rejects.toBeInstanceOf(BankRejected);
    const typo = await fetch(`${bank.url}/v1/faults`, {
      method: 'PUT',
      body: JSON.stringify({ errorrate: 1 }),
    });
    expect(typo.status).toBe(400);
    expect(await typo.json()).toMatchObject({ code: 'invalid_request' });
  });
});
