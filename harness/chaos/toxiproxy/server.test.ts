import { ToxiproxyError } from 'toxiproxy-node-client';
import { describe, expect, it, vi } from 'vitest';
import { toxiproxyFixture } from './test-fixture.ts';

// Every exchange here is on loopback and takes well under a second: fail fast instead of hanging.
vi.setConfig({ testTimeout: 5_000, hookTimeout: 5_000 });

const fx = toxiproxyFixture();

/** The client hides error bodies, so shapes and statuses are checked with plain fetch. */
async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${fx.server.url}${path}`, {
    method,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

describe('proxies', () => {
  it('creates a proxy on a free port and reports the real one', async () => {
    const res = await call('POST', '/proxies', {
      name: 'pg',
      listen: '127.0.0.1:0',
      upstream: fx.echo.address,
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      name: 'pg',
      listen: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
      upstream: fx.echo.address,
      enabled: true,
      toxics: [],
    });
    expect(res.body.listen).not.toBe('127.0.0.1:0');
  });

  it('lists, gets, updates and deletes through toxiproxy-node-client', async () => {
    const created = await fx.toxiproxy.createProxy({
      name: 'redis',
      listen: '127.0.0.1:0',
      upstream: fx.echo.address,
    });
    await fx.toxiproxy.createProxy({
      name: 'bank',
      listen: '127.0.0.1:0',
      upstream: fx.echo.address,
      enabled: false,
    });

    const all = await fx.toxiproxy.getAll();
    expect(Object.keys(all).sort()).toEqual(['bank', 'redis']);
    expect(all.bank?.enabled).toBe(false);
    expect((await fx.toxiproxy.get('redis')).listen).toBe(created.listen);

    const disabled = await created.update({
      enabled: false,
      listen: created.listen,
      upstream: fx.echo.address,
    });
    expect(disabled.enabled).toBe(false);
    expect(disabled.listen).toBe(created.listen);

    await disabled.remove();
    await expect(fx.toxiproxy.get('redis')).rejects.toThrow(ToxiproxyError);
    expect(Object.keys(await fx.toxiproxy.getAll())).toEqual(['bank']);
  });

  it('updates only the fields given, as upstream does', async () => {
    await fx.toxiproxy.createProxy({ name: 'pg', listen: '127.0.0.1:0', upstream: fx.echo.address });
    const res = await call('POST', '/proxies/pg', { enabled: false });
    expect(res.body).toMatchObject({ name: 'pg', upstream: fx.echo.address, enabled: false });
    const patched = await call('PATCH', '/proxies/pg', { upstream: '127.0.0.1:1' });
    expect(patched.body).toMatchObject({ upstream: '127.0.0.1:1', enabled: false });
  });

  it('answers errors with upstream messages and statuses', async () => {
    await fx.toxiproxy.createProxy({ name: 'pg', listen: '127.0.0.1:0', upstream: fx.echo.address });
    const cases: [string, string, unknown, number, unknown][] = [
      ['POST', '/proxies', { name: 'pg', upstream: fx.echo.address }, 409, 'proxy already exists'],
      ['POST', '/proxies', { upstream: fx.echo.address }, 400, 'missing required field: name'],
      ['POST', '/proxies', { name: 'x' }, 400, 'missing required field: upstream'],
      ['POST', '/proxies', '{not json', 400, expect.stringMatching(/^bad request body: /)],
      ['POST', '/proxies', '', 400, 'bad request body: EOF'],
      ['GET', '/proxies/nope', undefined, 404, 'proxy not found'],
      ['DELETE', '/proxies/nope', undefined, 404, 'proxy not found'],
      ['POST', '/proxies/nope/toxics', { type: 'latency' }, 404, 'proxy not found'],
      ['GET', '/proxies/pg/toxics/nope', undefined, 404, 'toxic not found'],
      ['DELETE', '/proxies/pg/toxics/nope', undefined, 404, 'toxic not found'],
      ['POST', '/proxies/pg/toxics', { type: 'gremlins' }, 400, 'invalid toxic type'],
      [
        'POST',
        '/proxies/pg/toxics',
        { type: 'latency', stream: 'sideways' },
        400,
        'stream was invalid, can be either upstream or downstream',
      ],
    ];
    for (const [method, path, body, status, error] of cases) {
      expect(await call(method, path, body), `${method} ${path}`).toEqual({
        status,
        body: { error, status },
      });
    }
    await expect(
      fx.toxiproxy.createProxy({ name: 'pg', listen: '127.0.0.1:0', upstream: fx.echo.address }),
    ).rejects.toThrow('Request failed with status code 409');
  });

  it('rejects an address without a port, and a port already taken (500, like upstream)', async () => {
    const bad = await call('POST', '/proxies', { name: 'x', listen: 'localhost', upstream: fx.echo.address });
    expect(bad.status).toBe(400);
    const taken = await call('POST', '/proxies', {
      name: 'x',
      listen: fx.echo.address,
      upstream: fx.echo.address,
    });
    expect(taken).toEqual({
      status: 500,
      body: { error: expect.stringContaining('EADDRINUSE'), status: 500 },
    });
    expect(await fx.toxiproxy.getAll()).toEqual({});
  });

  it('populates many proxies, keeps unchanged ones, and replaces changed ones', async () => {
    const first = await fx.toxiproxy.populate([
      { name: 'a', listen: '127.0.0.1:0', upstream: fx.echo.address },
      { name: 'b', listen: '127.0.0.1:0', upstream: fx.echo.address, enabled: false },
    ]);
    expect(first.a?.enabled).toBe(true);
    expect(first.b?.enabled).toBe(false);

    const a = first.a?.listen ?? '';
    const again = await call('POST', '/populate', [{ name: 'a', listen: a, upstream: fx.echo.address }]);
    expect(again).toEqual({
      status: 201,
      body: { proxies: [expect.objectContaining({ name: 'a', listen: a })] },
    });

    const moved = await fx.toxiproxy.populate([
      { name: 'b', listen: '127.0.0.1:0', upstream: '127.0.0.1:1' },
    ]);
    expect(moved.b?.toJson()).toMatchObject({ upstream: '127.0.0.1:1', enabled: true });

    const missing = await call('POST', '/populate', [
      { name: 'c', upstream: fx.echo.address },
      { name: 'd' },
    ]);
    expect(missing).toEqual({
      status: 400,
      body: { error: 'missing required field: upstream at proxy 2', status: 400, proxies: null },
    });
    expect(Object.keys(await fx.toxiproxy.getAll()).sort()).toEqual(['a', 'b']);
  });

  it('reports a version', async () => {
    expect(JSON.parse(await fx.toxiproxy.getVersion())).toEqual({ version: expect.stringMatching(/^2\./) });
  });

  it('refuses browsers, as upstream does', async () => {
    const res = await fetch(`${fx.server.url}/proxies`, { headers: { 'user-agent': 'Mozilla/5.0' } });
    expect(res.status).toBe(403);
  });
});

describe('toxics', () => {
  it('fills upstream defaults: downstream, toxicity 1, name <type>_<stream>, zero attributes', async () => {
    await fx.toxiproxy.createProxy({ name: 'pg', listen: '127.0.0.1:0', upstream: fx.echo.address });
    const res = await call('POST', '/proxies/pg/toxics', { type: 'latency', attributes: { latency: 100 } });
    expect(res).toEqual({
      status: 200,
      body: {
        attributes: { latency: 100, jitter: 0 },
        name: 'latency_downstream',
        type: 'latency',
        stream: 'downstream',
        toxicity: 1,
      },
    });
    const again = await call('POST', '/proxies/pg/toxics', { type: 'latency' });
    expect(again).toEqual({ status: 409, body: { error: 'toxic already exists', status: 409 } });
    const badAttr = await call('POST', '/proxies/pg/toxics', {
      type: 'timeout',
      attributes: { timeout: 'x' },
    });
    expect(badAttr.status).toBe(400);
    // Upstream looks for a clash before it reads the attributes.
    const clash = await call('POST', '/proxies/pg/toxics', { type: 'latency', attributes: { latency: 'x' } });
    expect(clash.status).toBe(409);
  });

  it('adds, reads, updates and removes toxics through the client', async () => {
    const proxy = await fx.toxiproxy.createProxy({
      name: 'pg',
      listen: '127.0.0.1:0',
      upstream: fx.echo.address,
    });
    const toxic = await proxy.addToxic({
      name: 'slow',
      type: 'latency',
      stream: 'upstream',
      toxicity: 0.5,
      attributes: { latency: 50, jitter: 5 },
    });
    await proxy.addToxic({
      name: 'cut',
      type: 'limit_data',
      stream: 'downstream',
      toxicity: 1,
      attributes: { bytes: 9 },
    });
    expect(toxic.toJson()).toEqual({
      attributes: { latency: 50, jitter: 5 },
      name: 'slow',
      stream: 'upstream',
      toxicity: 0.5,
      type: 'latency',
    });
    expect((await proxy.getToxic('slow')).attributes).toEqual({ latency: 50, jitter: 5 });

    // Upstream merges attributes and ignores a change of name, type or stream.
    const updated = await call('POST', '/proxies/pg/toxics/slow', {
      attributes: { jitter: 1 },
      stream: 'downstream',
    });
    expect(updated.body).toMatchObject({
      attributes: { latency: 50, jitter: 1 },
      stream: 'upstream',
      toxicity: 0.5,
    });

    const listed = await call('GET', '/proxies/pg/toxics');
    expect(listed.body.map((t: { name: string }) => t.name)).toEqual(['slow', 'cut']);
    expect((await fx.toxiproxy.get('pg')).toJson()).toMatchObject({ name: 'pg' });

    await toxic.remove();
    expect((await call('GET', '/proxies/pg/toxics')).body).toEqual([
      expect.objectContaining({ name: 'cut', attributes: { bytes: 9 } }),
    ]);
  });

  it('POST /reset enables every proxy and removes every toxic', async () => {
    const proxy = await fx.toxiproxy.createProxy({
      name: 'pg',
      listen: '127.0.0.1:0',
      upstream: fx.echo.address,
    });
    await proxy.addToxic({
      name: 't',
      type: 'timeout',
      stream: 'upstream',
      toxicity: 1,
      attributes: { timeout: 0 },
    });
    await proxy.update({ enabled: false, listen: proxy.listen, upstream: fx.echo.address });
    expect((await call('POST', '/reset')).status).toBe(204);
    expect((await call('GET', '/proxies/pg')).body).toMatchObject({
      enabled: true,
      listen: proxy.listen,
      toxics: [],
    });
  });
});
