import { expect, it, vi } from 'vitest';
import { connectProbe } from './tcp-probe.ts';
import { toxiproxyFixture } from './test-fixture.ts';

// Every exchange here is on loopback and takes well under a second: fail fast instead of hanging.
vi.setConfig({ testTimeout: 5_000, hookTimeout: 5_000 });

const fx = toxiproxyFixture();

const portOf = (listen: string) => Number(listen.split(':').pop());

it('carries bytes both ways, unchanged', async () => {
  const proxy = await fx.toxiproxy.createProxy({
    name: 'echo',
    listen: '127.0.0.1:0',
    upstream: fx.echo.address,
  });
  const probe = await connectProbe(portOf(proxy.listen));
  const payload = Buffer.alloc(256 * 1024, 'abcdefgh');
  probe.send(payload);
  expect((await probe.waitForBytes(payload.length)).equals(payload)).toBe(true);
  probe.socket.end();
  expect(await probe.waitForClose()).toEqual({ gotEnd: true });
});

it('disabling closes open connections and refuses new ones; enabling listens on the same port', async () => {
  const proxy = await fx.toxiproxy.createProxy({
    name: 'redis',
    listen: '127.0.0.1:0',
    upstream: fx.echo.address,
  });
  const port = portOf(proxy.listen);
  const open = await connectProbe(port);
  open.send('ping');
  await open.waitForBytes(4);

  const cut = await proxy.update({ enabled: false, listen: proxy.listen, upstream: fx.echo.address });
  await open.waitForClose();
  await expect(connectProbe(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });

  const healed = await cut.update({ enabled: true, listen: cut.listen, upstream: fx.echo.address });
  expect(healed.listen).toBe(proxy.listen);
  const again = await connectProbe(port);
  again.send('pong');
  expect((await again.waitForBytes(4)).toString()).toBe('pong');
  again.socket.destroy();
});

it('closes the client when the upstream cannot be reached', async () => {
  const proxy = await fx.toxiproxy.createProxy({
    name: 'dead',
    listen: '127.0.0.1:0',
    upstream: '127.0.0.1:1',
  });
  const probe = await connectProbe(portOf(proxy.listen));
  await probe.waitForClose();
  expect(probe.received.length).toBe(0);
});

it('deleting a proxy closes its connections and frees its port', async () => {
  const proxy = await fx.toxiproxy.createProxy({
    name: 'bank',
    listen: '127.0.0.1:0',
    upstream: fx.echo.address,
  });
  const probe = await connectProbe(portOf(proxy.listen));
  await proxy.remove();
  await probe.waitForClose();
  await expect(connectProbe(portOf(proxy.listen))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
});

it('a client FIN closes the whole connection once in-flight data is through', async () => {
  const proxy = await fx.toxiproxy.createProxy({
    name: 'fin',
    listen: '127.0.0.1:0',
    upstream: fx.echo.address,
  });
  await proxy.addToxic({
    name: 'lag',
    type: 'latency',
    stream: 'downstream',
    toxicity: 1,
    attributes: { latency: 50, jitter: 0 },
  });
  const probe = await connectProbe(portOf(proxy.listen));
  probe.send('last words');
  await probe.waitForBytes(10);
  probe.socket.end();
  expect(await probe.waitForClose()).toEqual({ gotEnd: true });
});
