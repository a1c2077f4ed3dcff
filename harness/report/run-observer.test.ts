import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FaultWindow } from '../core/fault-window.ts';
import { EVENTS_FILE } from './run-events.ts';
import { RunObserver } from './run-observer.ts';
import { sampleResult } from './test-fixtures.ts';

/** A stand-in for Loki, Grafana and the Pushgateway that records what it was sent. */
interface Received {
  method: string;
  url: string;
  auth: string | undefined;
  body: string;
}
let server: Server;
let base: string;
let received: Received[] = [];
let failWith: number | null = null;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', auth: req.headers.authorization, body });
      res.statusCode = failWith ?? (req.url?.startsWith('/loki') ? 204 : 200);
      res.end(failWith ? 'broken' : '{}');
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));

let dir: string;
beforeEach(() => {
  received = [];
  failWith = null;
  dir = mkdtempSync(join(tmpdir(), 'faultline-observer-'));
  return () => rmSync(dir, { recursive: true, force: true });
});

function observer(config: ConstructorParameters<typeof RunObserver>[0]['config'], log: string[] = []) {
  return new RunObserver({
    config,
    runId: '2026-01-01T00-00-00-000Z-redis-cut-seed1',
    dir,
    scenario: 'redis-cut',
    seed: 1,
    scale: 'ci',
    sabotage: null,
    say: (l) => log.push(l),
  });
}

const events = () =>
  readFileSync(join(dir, EVENTS_FILE), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('RunObserver', () => {
  it('with nothing configured, writes the run events and sends nothing', async () => {
    const o = observer({});
    o.runStarted();
    const window: FaultWindow = { kind: 'cut', target: 'redisQueue', startedAt: 10, endedAt: null };
    o.watchFaults({ type: 'injected', window });
    window.endedAt = 20;
    o.watchFaults({ type: 'healed', window });
    await o.runFinished(sampleResult({ scenario: 'redis-cut' }));
    expect(received).toEqual([]);
    expect(events().map((e) => e.event)).toEqual([
      'run_started',
      'fault_injected',
      'fault_healed',
      ...sampleResult().checks.map(() => 'check_finished'),
      'run_finished',
    ]);
    expect(o.scrapeOptions()).toEqual({});
  });

  it('pushes the fault gauge as faults open and close, then the outcome', async () => {
    const o = observer({ FAULTLINE_PUSHGATEWAY_URL: base });
    o.runStarted();
    const w: FaultWindow = { kind: 'kill', target: 'worker-1', startedAt: 1, endedAt: null };
    o.watchFaults({ type: 'injected', window: w });
    w.endedAt = 2;
    o.watchFaults({ type: 'healed', window: w });
    await o.runFinished(sampleResult({ scenario: 'redis-cut', verdict: 'pass' }));
    const pushes = received.filter((r) => r.url.startsWith('/metrics/job@base64/'));
    expect(pushes.every((p) => p.method === 'POST')).toBe(true);
    // job=faultline, scenario=redis-cut, sabotage=none, base64url-encoded in the path.
    expect(pushes[0]?.url).toBe(
      `/metrics/job@base64/${b64('faultline')}/scenario@base64/${b64('redis-cut')}/sabotage@base64/${b64('none')}`,
    );
    expect(pushes[0]?.body).toMatch(/^faultline_scenario_running 1$/m);
    expect(pushes[1]?.body).toMatch(/^faultline_fault_active\{kind="kill"\} 1$/m);
    expect(pushes[2]?.body).toMatch(/^faultline_fault_active\{kind="kill"\} 0$/m);
    const outcome = pushes[3]?.body ?? '';
    expect(outcome).toMatch(/^faultline_scenario_verdict\{verdict="pass"\} 1$/m);
    expect(outcome).toMatch(/^faultline_scenario_verdict\{verdict="fail"\} 0$/m);
    expect(outcome).toMatch(/^faultline_check_valid\{check="money-conserved"\} 1$/m);
    expect(outcome).toMatch(/^faultline_scenario_last_success_timestamp_seconds \d+/m);
    expect(outcome).toMatch(/^faultline_scenario_running 0$/m);
    // The run id never becomes a label or a path segment.
    for (const p of pushes) expect(`${p.url}${p.body}`).not.toMatch(/run-2024|seed1/);
  });

  it('leaves the last success time alone when a run fails', async () => {
    const o = observer({ FAULTLINE_PUSHGATEWAY_URL: base });
    await o.runFinished(sampleResult({ verdict: 'fail' }));
    const outcome = received.map((r) => r.body).join('\n');
    expect(outcome).toMatch(/^faultline_scenario_verdict\{verdict="fail"\} 1$/m);
    expect(outcome).not.toMatch(/last_success/);
  });

  it('annotates each fault window and the run in Grafana, with the token', async () => {
    const o = observer({ FAULTLINE_GRAFANA_URL: base, FAULTLINE_GRAFANA_TOKEN: 'glsa_test' });
    o.runStarted();
    const healed: FaultWindow = { kind: 'cut', target: 'redisQueue', startedAt: 1, endedAt: null };
    const neverHealed: FaultWindow = { kind: 'pause', target: 'api', startedAt: 2, endedAt: null };
    o.watchFaults({ type: 'injected', window: healed });
    o.watchFaults({ type: 'injected', window: neverHealed });
    healed.endedAt = 3;
    o.watchFaults({ type: 'healed', window: healed });
    await o.runFinished(sampleResult({ scenario: 'redis-cut', verdict: 'pass' }));
    const annotations = received.filter((r) => r.url === '/api/annotations');
    expect(annotations.every((a) => a.auth === 'Bearer glsa_test')).toBe(true);
    const bodies = annotations.map(
      (a) => JSON.parse(a.body) as { time: number; timeEnd: number; tags: string[] },
    );
    expect(bodies.map((b) => b.tags)).toEqual([
      ['faultline', 'fault', 'cut', 'redis-cut'],
      ['faultline', 'fault', 'pause', 'redis-cut'],
      ['faultline', 'run', 'redis-cut', 'pass'],
    ]);
    for (const b of bodies) expect(b.timeEnd).toBeGreaterThanOrEqual(b.time);
  });

  it('pushes the run events to Loki with bounded labels, the run id in the line', async () => {
    const o = observer({ FAULTLINE_LOKI_URL: base });
    o.runStarted();
    await o.runFinished(sampleResult({ scenario: 'redis-cut', verdict: 'fail' }));
    const pushes = received.filter((r) => r.url === '/loki/api/v1/push');
    expect(pushes.length).toBe(events().length);
    const streams = pushes.flatMap(
      (p) =>
        (JSON.parse(p.body) as { streams: Array<{ stream: object; values: [string, string][] }> }).streams,
    );
    for (const s of streams) {
      expect(Object.keys(s.stream).sort()).toEqual(['job', 'level', 'scenario']);
      for (const [ns, line] of s.values) {
        expect(ns).toMatch(/^\d{19}$/);
        expect(JSON.parse(line).runId).toBe('2026-01-01T00-00-00-000Z-redis-cut-seed1');
      }
    }
    expect(streams.some((s) => (s.stream as { level: string }).level === 'error')).toBe(true);
  });

  it('a receiver that fails never fails the run: it is logged, once loudly', async () => {
    failWith = 500;
    const log: string[] = [];
    const o = observer({ FAULTLINE_PUSHGATEWAY_URL: base }, log);
    o.runStarted();
    await expect(o.runFinished(sampleResult())).resolves.toBeUndefined();
    expect(log.some((l) => /report to pushgateway failed: pushgateway answered 500/.test(l))).toBe(true);
    expect(events().some((e) => e.event === 'report_failed')).toBe(true);
  });

  it('asks the stack for scrape targets labelled with the scenario', () => {
    expect(observer({ FAULTLINE_SCRAPE_DIR: '/tmp/targets' }).scrapeOptions()).toEqual({
      scrape: { targetsDir: '/tmp/targets', labels: { scenario: 'redis-cut' } },
    });
  });
});

function b64(s: string): string {
  return Buffer.from(s).toString('base64url');
}
