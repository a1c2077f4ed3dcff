import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExchangeTimeout, keepAliveTransport } from './http-exchange.ts';

/** A real HTTP server that echoes what it got, counts the connections it accepted, and can hang or hang up. */
let server: http.Server;
let baseUrl: string;
let connections = 0;
let closedConnections = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/base/hang') return; // never answers
      if (req.url === '/base/hang-up') {
        res.writeHead(200, { 'content-length': '100' });
        res.write('partial');
        res.socket?.destroy();
        return;
      }
      const body = JSON.stringify({
        method: req.method,
        url: req.url,
        sig: req.headers['x-sig'] ?? null,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(201, { 'content-type': 'application/json', 'x-answer': 'yes' });
      res.end(body);
    });
  });
  server.on('connection', (socket) => {
    connections += 1;
    socket.on('close', () => {
      closedConnections += 1;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/base/`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('keepAliveTransport', () => {
  it('sends method, path under the base, headers and body, and returns status, headers and text', async () => {
    const t = keepAliveTransport(baseUrl);
    const r = await t.exchange({
      method: 'POST',
      path: '/v1/charges?x=1',
      headers: { 'x-sig': 'abc', 'content-type': 'application/json' },
      body: '{"amount":1}',
      timeoutMs: 5_000,
    });
    t.close();
    expect(r.status).toBe(201);
    expect(r.header('x-answer')).toBe('yes');
    expect(r.header('x-missing')).toBeUndefined();
    expect(JSON.parse(r.text)).toEqual({
      method: 'POST',
      url: '/base/v1/charges?x=1',
      sig: 'abc',
      body: '{"amount":1}',
    });
  });

  it('reuses one connection for calls one after the other, and close() ends it', async () => {
    const t = keepAliveTransport(baseUrl);
    const before = connections;
    const closedBefore = closedConnections;
    for (let i = 0; i < 20; i++) {
      const r = await t.exchange({
        method: 'GET',
        path: `/n/${i}`,
        headers: {},
        body: undefined,
        timeoutMs: 5_000,
      });
      expect(JSON.parse(r.text).url).toBe(`/base/n/${i}`);
    }
    expect(connections - before).toBe(1);
    t.close();
    await expect.poll(() => closedConnections - closedBefore).toBe(1);
  });

  it('opens one connection per concurrent call, and reuses them afterwards', async () => {
    const t = keepAliveTransport(baseUrl);
    const before = connections;
    const call = () =>
      t.exchange({ method: 'GET', path: '/', headers: {}, body: undefined, timeoutMs: 5_000 });
    await Promise.all(Array.from({ length: 5 }, call));
    const opened = connections - before;
    expect(opened).toBeGreaterThan(1);
    expect(opened).toBeLessThanOrEqual(5);
    await Promise.all(Array.from({ length: opened }, call));
    expect(connections - before).toBe(opened);
    t.close();
  });

  it('gives up with ExchangeTimeout when no answer comes in time', async () => {
    const t = keepAliveTransport(baseUrl);
    await expect(
      t.exchange({ method: 'GET', path: '/hang', headers: {}, body: undefined, timeoutMs: 100 }),
    ).rejects.toBeInstanceOf(ExchangeTimeout);
    t.close();
  });

  it('rejects, and not as a timeout, when the server hangs up mid-answer', async () => {
    const t = keepAliveTransport(baseUrl);
    const r = t.exchange({ method: 'GET', path: '/hang-up', headers: {}, body: undefined, timeoutMs: 5_000 });
    await expect(r).rejects.toThrow();
    await expect(r).rejects.not.toBeInstanceOf(ExchangeTimeout);
    t.close();
  });

  it('rejects when nothing listens', async () => {
    const t = keepAliveTransport('http://127.0.0.1:1');
    await expect(
      t.exchange({ method: 'GET', path: '/', headers: {}, body: undefined, timeoutMs: 2_000 }),
    ).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    t.close();
  });
});
