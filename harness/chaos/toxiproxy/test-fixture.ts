import { Toxiproxy } from 'toxiproxy-node-client';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { type EchoServer, startEchoServer } from './echo-server.ts';
import { startToxiproxyServer, type ToxiproxyServer } from './server.ts';

export interface ToxiproxyFixture {
  server: ToxiproxyServer;
  echo: EchoServer;
  toxiproxy: Toxiproxy;
}

/**
 * Our server, an echo upstream and a toxiproxy-node-client for a test file: started before its tests,
 * every proxy removed after each test, both stopped at the end. Read the fields inside tests only.
 */
export function toxiproxyFixture(): ToxiproxyFixture {
  const fx = {} as ToxiproxyFixture;
  beforeAll(async () => {
    [fx.server, fx.echo] = await Promise.all([startToxiproxyServer(), startEchoServer()]);
    fx.toxiproxy = new Toxiproxy(fx.server.url);
  });
  afterEach(async () => {
    for (const proxy of Object.values(await fx.toxiproxy.getAll())) await proxy.remove();
  });
  afterAll(async () => {
    await fx.server?.stop();
    await fx.echo?.close();
  });
  return fx;
}
