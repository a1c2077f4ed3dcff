// A client that hangs up while sending its body: a 4xx of its own (request_aborted), never a 5xx, never
// "database unavailable" (which anyone could otherwise fake to raise the 5xx alert ratio).
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpServer, listen } from '../../lib/http-serve.ts';
import { httpRequests } from '../metrics.ts';
import { eventually, fundedUser, type TestEnv, testApi, testEnv } from './harness.ts';

let t: TestEnv;
let api: ReturnType<typeof testApi>;
let server: HttpServer;
beforeAll(async () => {
  t = await testEnv();
  api = testApi(t);
  server = await listen(api.app, { host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await server.close();
  await api.close();
  await t.close();
});

/** Answers counted so far by status, every route (from this process's registry). */
async function answers(): Promise<Record<string, number>> {
  const { values } = await httpRequests.get();
  const out: Record<string, number> = {};
  for (const v of values) out[String(v.labels.status)] = (out[String(v.labels.status)] ?? 0) + v.value;
  return out;
}

/** Sends the head and part of a body on a raw socket, waits a moment, and hangs up. */
async function abortMidBody(head: string, partialBody: string): Promise<void> {
  const socket = connect(server.port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(head + partialBody);
  await new Promise((r) => setTimeout(r, 200));
  socket.destroy();
}

describe('a client that aborts mid-body', () => {
  it.each([
    [
      'with a Content-Length',
      (key: string) => `Content-Length: 400\r\nAuthorization: Bearer ${key}\r\n`,
      '{"accountId":"',
    ],
    [
      'chunked',
      (key: string) => `Transfer-Encoding: chunked\r\nAuthorization: Bearer ${key}\r\n`,
      '40\r\n{"accountId":"',
    ],
  ])('%s is answered 400 request_aborted, not 503', async (_name, headers, partial) => {
    const u = await fundedUser(t, { balance: 1_000 });
    const before = await answers();
    const head = `POST /v1/payouts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nIdempotency-Key: k-${Date.now()}\r\n${headers(u.apiKey)}\r\n`;
    await abortMidBody(head, partial);
    const after = await eventually(async () => {
      const now = await answers();
      const total = (s: Record<string, number>) => Object.values(s).reduce((a, b) => a + b, 0);
      return total(now) > total(before) ? now : null;
    });
    const delta = (status: string) => (after[status] ?? 0) - (before[status] ?? 0);
    expect(delta('400')).toBe(1);
    expect(Object.keys(after).filter((s) => s.startsWith('5') && delta(s) > 0)).toEqual([]);
    const { rows } = await t.pool.query('SELECT count(*)::int AS n FROM bank_transfers WHERE user_id = $1', [
      u.userId,
    ]);
    expect(rows[0].n).toBe(0);
  });
});
