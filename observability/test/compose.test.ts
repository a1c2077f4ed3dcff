import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../stack/service.ts';
import { runTool, skipReason, tool } from '../tools.ts';

/** docker-compose.yml: valid for Compose (v1's `config` here; no Docker engine is needed), and safe. */

const compose = tool('docker-compose');
const file = readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8');

describe.skipIf(!compose)(
  compose ? 'docker-compose config' : skipReason('docker-compose', 'docker-compose'),
  () => {
    const config = (env: NodeJS.ProcessEnv) =>
      runTool(compose as string, ['-f', 'docker-compose.yml', '--profile', 'load', 'config', '-q'], { env });

    const secrets: Record<string, string> = {
      GRAFANA_ADMIN_PASSWORD: 'checked-in-ci',
      PII_KEYS: 'k1:not-a-real-key',
    };

    it('is valid', () => {
      const r = config({ ...process.env, ...secrets });
      expect(r.status, r.output).toBe(0);
    });

    it.each(Object.keys(secrets))('refuses to start without %s from the environment', (name) => {
      const env = { ...process.env, ...secrets };
      delete env[name];
      const r = config(env);
      expect(r.status).not.toBe(0);
      expect(r.output).toMatch(new RegExp(name));
    });
  },
);

describe('docker-compose.yml', () => {
  it('never publishes an ops listener (OPS_PORT) on the host: only Prometheus reaches /metrics', () => {
    const port = /OPS_PORT: "(\d+)"/.exec(file)?.[1];
    expect(port).toBeDefined();
    const published = [...file.matchAll(/^\s+- "127\.0\.0\.1:\d+:(\d+)"\s*$/gm)].map((m) => m[1]);
    expect(published.length).toBeGreaterThan(3);
    expect(published).not.toContain(port);
  });

  it('pins every image to a version', () => {
    const images = [...file.matchAll(/^\s+image:\s*(\S+)\s*$/gm)].map((m) => m[1] as string);
    expect(images.length).toBeGreaterThan(10);
    for (const image of images) {
      if (image === 'faultline-service:local') continue;
      expect(image, image).toMatch(/:v?\d+\.\d+(\.\d+)?(-[a-z0-9]+)?$/);
    }
  });

  it('gives Grafana no anonymous access', () => {
    expect(file).toMatch(/GF_AUTH_ANONYMOUS_ENABLED: "false"/);
    expect(file).not.toMatch(/GF_AUTH_ANONYMOUS_ORG_ROLE/);
  });

  it('publishes ports on loopback only', () => {
    const ports = [...file.matchAll(/^\s+- "([^"]+:\d+)"\s*$/gm)].map((m) => m[1] as string);
    expect(ports.length).toBeGreaterThan(0);
    for (const p of ports) expect(p).toMatch(/^127\.0\.0\.1:/);
  });
});
