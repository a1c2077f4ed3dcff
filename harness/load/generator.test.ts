import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ArrivalRecord, type LoadResult, runClosed, runOpen } from './generator.ts';
import { HttpTarget, httpOutcome } from './http-target.ts';
import { constantRate } from './schedule.ts';

/**
 * Counts and accounting against a real HTTP server on loopback: every assertion holds whatever the
 * machine's speed (none is about how long anything took).
 */

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
let handler: Handler = (_req, res) => res.end('ok');
let received = 0;
let server: Server;
let target: HttpTarget;

beforeAll(async () => {
  server = createServer((req, res) => {
    received++;
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  target = new HttpTarget(`http://127.0.0.1:${port}`, { maxSockets: 64 });
});

afterAll(async () => {
  target.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const get = (path: string) => (_i: number, signal: AbortSignal) =>
  httpOutcome(target.call({ method: 'GET', path, signal }));

/** The accounting every result must satisfy. */
function expectBalanced(r: LoadResult): void {
  expect(r.started + r.dropped).toBe(r.scheduled);
  expect(r.completed).toBe(r.started);
  const errors = Object.values(r.errors).reduce((a, b) => a + b, 0);
  expect(r.ok + errors).toBe(r.completed);
  expect(r.latency.count).toBe(r.completed);
}

describe('runOpen', () => {
  it('offers exactly the schedule: 200/s for 0.5 s is 100 requests, each one received', async () => {
    handler = (_req, res) => res.end('ok');
    received = 0;
    const records: ArrivalRecord[] = [];
    const r = await runOpen({
      plan: constantRate(200, 0.5),
      maxInFlight: 50,
      request: get('/ok'),
      onRecord: (rec) => records.push(rec),
    });
    expectBalanced(r);
    expect(r.scheduled).toBe(100);
    expect(r.offeredPerS).toBe(200);
    expect(r.ok + r.dropped).toBe(100);
    expect(received).toBe(r.started);
    expect(records).toHaveLength(100);
    expect(new Set(records.map((x) => x.index)).size).toBe(100);
    expect(r.stages).toHaveLength(1);
    expect(r.stages[0]?.scheduled).toBe(100);
    expect(r.stoppedEarly).toBe(false);
  });

  it("counts a stage's last arrival in its stage even when the timer that starts it fires after the stage's end", async () => {
    // 200/s for 50 ms: arrivals at 0, 5, …, 45 ms; the last one's timer is set at about 40 ms. A
    // timer due at 43 ms blocks the event loop until 60 ms, so that timer fires after the stage's end
    // (50 ms) with nothing open: the stage must still wait for that arrival.
    const t0 = performance.now();
    const blocker = setTimeout(() => {
      while (performance.now() < t0 + 60);
    }, 43);
    const r = await runOpen({
      plan: constantRate(200, 0.05),
      maxInFlight: 50,
      request: async () => ({ ok: true }),
    });
    clearTimeout(blocker);
    expect(r.scheduled).toBe(10);
    expect(r.stages.map((s) => s.scheduled)).toEqual([10]);
  });

  it('drops arrivals that find maxInFlight requests outstanding, and counts them', async () => {
    const held: ServerResponse[] = [];
    let releaseAll = () => {};
    const allDropped = new Promise<void>((r) => {
      releaseAll = r;
    });
    void allDropped.then(() => {
      for (const res of held.splice(0)) res.end('late');
    });
    handler = (_req, res) => held.push(res);
    const r = await runOpen({
      plan: constantRate(100, 0.3),
      maxInFlight: 5,
      request: get('/held'),
      // The five held requests are answered only once every other arrival has been dropped.
      onRecord: (rec) => {
        if (rec.dropped && rec.index === 29) releaseAll();
      },
    });
    expectBalanced(r);
    expect(r.scheduled).toBe(30);
    expect(r.started).toBe(5);
    expect(r.dropped).toBe(25);
    expect(r.ok).toBe(5);
    expect(r.maxInFlight).toBe(5);
  });

  it('classifies answers: ok statuses, http_<status>, and network errors', async () => {
    handler = (req, res) => {
      if (req.url === '/fail') {
        res.statusCode = 503;
        res.end('no');
      } else res.end('ok');
    };
    const r = await runOpen({
      plan: constantRate(100, 0.2),
      maxInFlight: 50,
      request: (i, signal) =>
        httpOutcome(target.call({ method: 'GET', path: i % 2 ? '/fail' : '/ok', signal })),
    });
    expectBalanced(r);
    expect(r.scheduled).toBe(20);
    expect(r.ok + r.dropped).toBeLessThanOrEqual(20);
    expect(r.errors.http_503 ?? 0).toBe(r.started - r.ok);
    const refused = await httpOutcome(
      new HttpTarget('http://127.0.0.1:1').call({ method: 'GET', path: '/' }),
    );
    expect(refused).toEqual({ ok: false, error: 'ECONNREFUSED' });
  });

  it('measures from the intended start: arrivals held up by a busy generator are late', async () => {
    handler = (_req, res) => res.end('ok');
    const r = await runOpen({
      plan: constantRate(200, 0.2),
      maxInFlight: 50,
      lateAfterMs: 10,
      request: (i, signal) => {
        // Arrival 0 blocks the generator's event loop for 60 ms: arrivals 1–9 (due at 5…45 ms) cannot
        // start before it ends, so at least arrivals 1–7 start more than 10 ms late.
        if (i === 0) {
          const until = performance.now() + 60;
          while (performance.now() < until);
        }
        return httpOutcome(target.call({ method: 'GET', path: '/ok', signal }));
      },
    });
    expectBalanced(r);
    expect(r.late).toBeGreaterThanOrEqual(7);
    expect(r.scheduleLag.max).toBeGreaterThan(10);
    // Latency includes the lag: the slowest is at least as slow as its start was late.
    expect(r.latency.max).toBeGreaterThanOrEqual(r.scheduleLag.max);
  });

  it('reports each stage once all its requests answered, and stops when stopWhen says so', async () => {
    handler = (req, res) => {
      res.statusCode = req.url === '/s1' ? 500 : 200;
      res.end();
    };
    const stagesSeen: number[] = [];
    const stage = (targetPerS: number) => ({ durationS: 0.2, targetPerS });
    const plan = { startPerS: 50, stages: [stage(50), stage(50), stage(50), stage(50), stage(50)] };
    const r = await runOpen({
      plan,
      maxInFlight: 50,
      request: (i, signal) => {
        const path = i >= 10 && i < 20 ? '/s1' : '/ok';
        return httpOutcome(target.call({ method: 'GET', path, signal }));
      },
      stopWhen: (s) => {
        stagesSeen.push(s.index);
        return Object.keys(s.errors).length > 0;
      },
    });
    expectBalanced(r);
    expect(r.stoppedEarly).toBe(true);
    expect(r.scheduled).toBeLessThan(50);
    expect(stagesSeen.slice(0, 2)).toEqual([0, 1]);
    expect(r.stages[0]?.scheduled).toBe(10);
    expect(r.stages[1]?.errors.http_500).toBe(r.stages[1]?.started);
    expect(r.stages.reduce((n, s) => n + s.scheduled, 0)).toBe(r.scheduled);
  });
});

describe('runClosed', () => {
  it('runs clients back to back and stops at maxRequests', async () => {
    handler = (_req, res) => res.end('ok');
    received = 0;
    const r = await runClosed({ clients: 4, durationMs: 60_000, maxRequests: 40, request: get('/ok') });
    expectBalanced(r);
    expect(r.scheduled).toBe(40);
    expect(r.ok).toBe(40);
    expect(received).toBe(40);
    expect(r.maxInFlight).toBe(4);
    expect(r.stoppedEarly).toBe(true);
  });
});
