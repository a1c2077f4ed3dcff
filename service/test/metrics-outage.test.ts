import { Toxiproxy, type Proxy as ToxiproxyProxy } from 'toxiproxy-node-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cut } from '../../harness/chaos/network-faults.ts';
import { startToxiproxyServer, type ToxiproxyServer } from '../../harness/chaos/toxiproxy/server.ts';
import type { ServiceHandle } from '../../stack/index.ts';
import { freePort } from '../../stack/ports.ts';
import { startRole, type TestEnv, testEnv } from './harness.ts';

/*
 * Every role's /metrics answers while Postgres or the queue Redis is unreachable: the roles reach both
 * through proxies, the proxies are disabled (every connection closed, new ones refused), and each role
 * must still answer its scrape, leaving out and counting the gauges that read the lost dependency.
 */
let t: TestEnv;
let server: ToxiproxyServer;
const links: Record<'postgres' | 'redis', ToxiproxyProxy> = {} as never;
const roles: ServiceHandle[] = [];

async function proxy(name: 'postgres' | 'redis', url: string): Promise<string> {
  const u = new URL(url);
  const listen = `127.0.0.1:${await freePort()}`;
  const client = new Toxiproxy(server.url);
  links[name] = await client.createProxy({ name, listen, upstream: `${u.hostname}:${u.port}` });
  u.host = listen;
  return u.toString();
}

async function setEnabled(enabled: boolean) {
  for (const link of Object.values(links)) await (enabled ? cut(link).heal() : cut(link).inject());
}

beforeAll(async () => {
  t = await testEnv();
  server = await startToxiproxyServer();
  const env = {
    DATABASE_URL: await proxy('postgres', t.env.DATABASE_URL as string),
    REDIS_QUEUE_URL: await proxy('redis', t.env.REDIS_QUEUE_URL as string),
  };
  for (const role of ['api', 'relay', 'worker', 'recon'] as const) roles.push(await startRole(t, role, env));
}, 120_000);
afterAll(async () => {
  await setEnabled(true).catch(() => {});
  await Promise.all(roles.map((r) => r.stop()));
  await server?.stop();
  await t?.close();
});

async function scrape(role: ServiceHandle): Promise<{ status: number; text: string }> {
  const res = await fetch(`${role.opsUrl}/metrics`, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, text: await res.text() };
}

describe('/metrics with Postgres and Redis down', () => {
  it('every role answers, leaving out and counting the gauges that read them', async () => {
    for (const role of roles) expect((await scrape(role)).status).toBe(200);
    await setEnabled(false);
    try {
      const byRole = new Map<string, string>();
      for (const role of roles) {
        const { status, text } = await scrape(role);
        expect(status, role.name).toBe(200);
        expect(text, role.name).toContain('process_cpu_seconds_total');
        byRole.set(role.role, text);
      }
      const failed = (role: string, metric: string) =>
        new RegExp(`metrics_collect_failures_total\\{metric="${metric}"\\} [1-9]`).test(
          byRole.get(role) ?? '',
        );
      expect(failed('relay', 'outbox_unpublished')).toBe(true);
      expect(failed('recon', 'bank_transfers_stuck')).toBe(true);
      expect(failed('worker', 'queue_jobs')).toBe(true);
    } finally {
      await setEnabled(true);
    }
  }, 60_000);
});
