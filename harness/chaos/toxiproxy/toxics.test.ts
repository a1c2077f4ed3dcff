import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type ToxicDirection,
  type ToxicType,
  Toxiproxy,
  type Proxy as ToxiproxyProxy,
} from 'toxiproxy-node-client';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type EchoServer, startEchoServer } from './echo-server.ts';
import { startToxiproxyServer, type ToxiproxyServer } from './server.ts';
import { connectProbe, type Probe } from './tcp-probe.ts';

// Every exchange here is on loopback and takes well under a second: fail fast instead of hanging.
vi.setConfig({ testTimeout: 5_000, hookTimeout: 5_000 });

let server: ToxiproxyServer;
let echo: EchoServer;
let toxiproxy: Toxiproxy;
let proxy: ToxiproxyProxy;
const probes: Probe[] = [];

beforeAll(async () => {
  [server, echo] = await Promise.all([startToxiproxyServer(), startEchoServer()]);
  toxiproxy = new Toxiproxy(server.url);
});
beforeEach(async () => {
  proxy = await toxiproxy.createProxy({ name: 'echo', listen: '127.0.0.1:0', upstream: echo.address });
});
afterEach(async () => {
  for (const probe of probes.splice(0)) probe.socket.destroy();
  await proxy.remove();
});
afterAll(async () => {
  await server?.stop();
  await echo?.close();
});

async function connect(): Promise<Probe> {
  const probe = await connectProbe(Number(proxy.listen.split(':').pop()));
  probes.push(probe);
  return probe;
}

/** Adds a toxic named `<type>_<stream>`, as upstream would name it by default. */
function toxic(
  type: ToxicType,
  attributes: Record<string, number>,
  { stream = 'downstream', toxicity = 1 }: { stream?: ToxicDirection; toxicity?: number } = {},
) {
  return proxy.addToxic({ name: `${type}_${stream}`, type, stream, toxicity, attributes });
}

/** Milliseconds for `payload` to go through the proxy and come back from the echo server. */
async function roundTrip(probe: Probe, payload: string | Buffer = 'ping', waitMs = 3000): Promise<number> {
  const start = performance.now();
  const expected = probe.received.length + Buffer.byteLength(payload);
  probe.send(payload);
  await probe.waitForBytes(expected, waitMs);
  return performance.now() - start;
}

// Timers may fire up to a millisecond early against performance.now(); allow for it.
const TIMER_SLACK_MS = 3;

describe('latency', () => {
  it('delays data by at least the latency, also on a connection opened before the toxic', async () => {
    const probe = await connect();
    await roundTrip(probe);
    await toxic('latency', { latency: 150, jitter: 0 });
    expect(await roundTrip(probe)).toBeGreaterThanOrEqual(150 - TIMER_SLACK_MS);
    await proxy.addToxic({
      name: 'up',
      type: 'latency',
      stream: 'upstream',
      toxicity: 1,
      attributes: { latency: 100, jitter: 0 },
    });
    expect(await roundTrip(probe)).toBeGreaterThanOrEqual(250 - TIMER_SLACK_MS);
  });

  // A latency of ten minutes: data that arrives at all within the waits below was not delayed by it.
  const FOREVER_MS = 600_000;

  it('stops delaying once removed', async () => {
    const probe = await connect();
    const lag = await toxic('latency', { latency: FOREVER_MS, jitter: 0 });
    probe.send('held');
    await sleep(20);
    await lag.remove();
    // What the toxic held is passed on, not dropped, and what follows is not delayed.
    await probe.waitForBytes(4, 20_000);
    await roundTrip(probe, 'ping', 20_000);
  });

  it('never applies with toxicity 0', async () => {
    await toxic('latency', { latency: FOREVER_MS, jitter: 0 }, { toxicity: 0 });
    await roundTrip(await connect(), 'ping', 20_000);
  });
});

describe('timeout', () => {
  it('stops all data and closes the connection after the timeout', async () => {
    await toxic('timeout', { timeout: 150 });
    const probe = await connect();
    const start = performance.now();
    probe.send('lost');
    await probe.waitForClose();
    expect(performance.now() - start).toBeGreaterThanOrEqual(150 - TIMER_SLACK_MS - 5);
    expect(probe.received.length).toBe(0);
  });

  it('with timeout 0 holds the connection open; removing it closes the connection, as upstream', async () => {
    const timeout = await toxic('timeout', { timeout: 0 });
    const probe = await connect();
    probe.send('lost');
    const outcome = await Promise.race([probe.closed, sleep(200, 'still open')]);
    expect(outcome).toBe('still open');
    await timeout.remove();
    await probe.waitForClose();
    expect(probe.received.length).toBe(0);
  });

  it('acts on the stream it is given: upstream keeps data from the server, downstream from the client', async () => {
    const before = echo.bytesReceived;
    await toxic('timeout', { timeout: 0 }, { stream: 'upstream' });
    const up = await connect();
    up.send('12345');
    await sleep(100);
    expect(echo.bytesReceived).toBe(before);

    await proxy.getToxic('timeout_upstream').then((t) => t.remove());
    await toxic('timeout', { timeout: 0 });
    const down = await connect();
    down.send('12345');
    await sleep(100);
    expect(echo.bytesReceived).toBe(before + 5);
    expect(down.received.length).toBe(0);
  });
});

describe('reset_peer', () => {
  it('resets the connection (ECONNRESET) after the timeout', async () => {
    await toxic('reset_peer', { timeout: 50 });
    const probe = await connect();
    probe.send('ping');
    expect(await probe.waitForClose()).toMatchObject({ error: 'ECONNRESET' });
  });
});

describe('limit_data', () => {
  it('closes the connection after that many bytes', async () => {
    await toxic('limit_data', { bytes: 10 });
    const probe = await connect();
    probe.send('0123456789abcdefghij');
    expect(await probe.waitForClose()).toEqual({ gotEnd: true });
    expect(probe.received.toString()).toBe('0123456789');
  });
});

describe('slicer', () => {
  it('delivers every byte, in several reads', async () => {
    await toxic('slicer', { average_size: 500, size_variation: 100, delay: 2000 });
    const probe = await connect();
    const payload = Buffer.alloc(8 * 1024, 'xyz');
    await roundTrip(probe, payload);
    expect(probe.received.equals(payload)).toBe(true);
    expect(probe.reads).toBeGreaterThan(1);
  });
});

describe('bandwidth', () => {
  it('limits a 100 KB transfer to the rate', async () => {
    const payload = Buffer.alloc(100 * 1024, 'b');
    const unlimited = await roundTrip(await connect(), payload);
    // 500 KB/s is 500 bytes per ms: 102 400 bytes need at least 204.8 ms.
    await toxic('bandwidth', { rate: 500 });
    const limited = await roundTrip(await connect(), payload);
    expect(limited).toBeGreaterThanOrEqual(204 - TIMER_SLACK_MS);
    expect(limited).toBeGreaterThan(unlimited);
  });
});

describe('slow_close', () => {
  it('holds the close back by the delay', async () => {
    await toxic('slow_close', { delay: 150 });
    const probe = await connect();
    await roundTrip(probe);
    const start = performance.now();
    probe.socket.end();
    expect(await probe.waitForClose()).toEqual({ gotEnd: true });
    expect(performance.now() - start).toBeGreaterThanOrEqual(150 - TIMER_SLACK_MS);
  });
});
