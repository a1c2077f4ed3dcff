import { afterEach, describe, expect, it } from 'vitest';
import type { HttpServer } from '../../lib/http-serve.ts';
import { createLogger } from '../log.ts';
import { opsApp } from './ops-app.ts';
import { listenOps } from './ops-listener.ts';

const log = createLogger({ role: 'test', level: 'silent' });
let server: HttpServer | undefined;
afterEach(async () => {
  await server?.close();
});

async function start(token?: string) {
  server = await listenOps(
    opsApp((app) => app.post('/recon/run', (c) => c.json({ ran: true }))),
    { OPS_HOST: '127.0.0.1', OPS_PORT: 0, OPS_TOKEN: token },
    log,
  );
  return `http://127.0.0.1:${server.port}`;
}

describe('the ops listener', () => {
  it('serves /metrics and the role routes on its own port', async () => {
    const url = await start();
    const metrics = await fetch(`${url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^# HELP /m);
    expect((await fetch(`${url}/recon/run`, { method: 'POST' })).status).toBe(200);
  });

  it('with OPS_TOKEN, wants the token for everything but /healthz', async () => {
    const token = 'a-token-of-at-least-16';
    const url = await start(token);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const refused = await fetch(`${url}/metrics`);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ code: 'unauthorized' });
    expect((await fetch(`${url}/recon/run`, { method: 'POST' })).status).toBe(401);
    const wrong = await fetch(`${url}/metrics`, {
      headers: { authorization: 'Bearer a-token-of-at-least-17' },
    });
    expect(wrong.status).toBe(401);
    const ok = await fetch(`${url}/metrics`, { headers: { authorization: `bearer ${token}` } });
    expect(ok.status).toBe(200);
  });
});
