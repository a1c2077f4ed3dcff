import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../stack/service.ts';
import {
  allowanceFor,
  allPanels,
  type DashboardQuery,
  dashboardQueries,
  loadAllowedEmpty,
  loadDashboards,
  runnablePromql,
} from './dashboard-queries.ts';

/** Structural checks of grafana/: what Grafana would otherwise only reveal when someone opens it. */

const dashboards = loadDashboards();
const provisioning = readFileSync(
  join(repoRoot, 'observability', 'grafana', 'provisioning', 'datasources', 'faultline.yml'),
  'utf8',
);
/** The datasource uids provisioning creates (each `uid:` line of the datasources file). */
const provisioned = new Set([...provisioning.matchAll(/^\s+uid:\s*(\S+)\s*$/gm)].map((m) => m[1]));
/** Grafana's built-in datasources: annotations of the Grafana database, mixed and dashboard sources. */
const BUILT_IN = new Set(['grafana', '-- Grafana --', '-- Mixed --', '-- Dashboard --']);

/** Every `datasource` value anywhere in the dashboard, with where it was found. */
function datasourceRefs(value: unknown, path = '$'): Array<{ path: string; ref: unknown }> {
  if (Array.isArray(value)) return value.flatMap((v, i) => datasourceRefs(v, `${path}[${i}]`));
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) =>
    k === 'datasource' ? [{ path: `${path}.${k}`, ref: v }] : datasourceRefs(v, `${path}.${k}`),
  );
}

describe('grafana dashboards', () => {
  it('the six dashboards are there', () => {
    expect(dashboards.map((d) => d.dashboard.uid).sort()).toEqual([
      'faultline-cache',
      'faultline-datastores',
      'faultline-money',
      'faultline-queue',
      'faultline-runs',
      'faultline-service',
    ]);
  });

  it('provisioning defines the Prometheus and Loki datasources with fixed uids', () => {
    expect([...provisioned].sort()).toEqual(['loki', 'prometheus']);
  });

  it('uids and titles are unique across dashboards', () => {
    const uids = dashboards.map((d) => d.dashboard.uid);
    const titles = dashboards.map((d) => d.dashboard.title);
    expect(new Set(uids).size).toBe(uids.length);
    expect(new Set(titles).size).toBe(titles.length);
    for (const uid of uids) expect(uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
  });

  describe.each(dashboards)('$file', ({ dashboard }) => {
    it('refers to datasources by uid, and only to provisioned or built-in ones', () => {
      const refs = datasourceRefs(dashboard);
      expect(refs.length).toBeGreaterThan(0);
      const bad = refs.filter(({ ref }) => {
        const uid = (ref as { uid?: unknown } | null)?.uid;
        return typeof uid !== 'string' || !(provisioned.has(uid) || BUILT_IN.has(uid));
      });
      expect(bad).toEqual([]);
    });

    it('has unique panel ids, and every panel that queries says what it answers', () => {
      const panels = allPanels(dashboard);
      const ids = panels.map((p) => p.id);
      expect(ids.every((id) => typeof id === 'number')).toBe(true);
      expect(new Set(ids).size).toBe(ids.length);
      for (const p of panels.filter((x) => x.type !== 'row')) {
        expect(p.title, `panel ${p.id}`).toBeTruthy();
        expect((p as { description?: string }).description, p.title).toBeTruthy();
        expect(p.targets?.length, p.title).toBeGreaterThan(0);
        const refIds = (p.targets ?? []).map((t) => t.refId);
        expect(new Set(refIds).size, p.title).toBe(refIds.length);
      }
    });

    it('every query has an expression, and PromQL ones have a runnable form', () => {
      for (const q of dashboardQueries(dashboard)) {
        expect(q.expr.trim(), `${q.panel} ${q.refId}`).not.toBe('');
        if (q.datasource === 'prometheus') expect(runnablePromql(q), q.expr).toBeTruthy();
      }
    });

    it("shades fault windows (the runner's fault gauge and its Grafana annotations)", () => {
      const names = (dashboard.annotations?.list ?? []).map((a) => a.name);
      expect(names).toEqual(expect.arrayContaining(['Fault windows', 'Faults (runner annotations)']));
    });
  });

  it('LogQL panels keep ids out of their stream selectors', () => {
    const logQueries = dashboards
      .flatMap((d) => dashboardQueries(d.dashboard))
      .filter((q) => q.datasource === 'loki');
    expect(logQueries.length).toBeGreaterThan(0);
    for (const q of logQueries) {
      const selector = /^\{([^}]*)\}/.exec(q.expr)?.[1] ?? '';
      expect(selector, q.expr).not.toMatch(/requestId|transferId|jobId|runId/);
    }
  });

  it('every allowance for an empty query names a real query and gives a reason', () => {
    const queries: DashboardQuery[] = dashboards.flatMap((d) => dashboardQueries(d.dashboard));
    for (const a of loadAllowedEmpty()) {
      expect(a.reason.length, `${a.dashboard} / ${a.panel}`).toBeGreaterThan(20);
      expect(
        queries.some((q) => allowanceFor(q, [a])),
        `${a.dashboard} / ${a.panel}`,
      ).toBe(true);
    }
  });
});

describe('runnablePromql', () => {
  it('fixes Grafana interval variables and lets dashboard variables match everything', () => {
    // Grafana's ${var:format} syntax, spelled so that it is not read as a template placeholder.
    const braced = ['$', '{b:regex}'].join('');
    expect(
      runnablePromql({
        kind: 'panel',
        expr: `sum(rate(x{scenario=~"$scenario", a=~"${braced}"}[$__rate_interval]))`,
      }),
    ).toBe('sum(rate(x{scenario=~".*", a=~".*"}[1m]))');
  });

  it('turns label_values(metric, label) into a query for the metric', () => {
    expect(runnablePromql({ kind: 'variable', expr: 'label_values(up{job="api"}, scenario)' })).toBe(
      'up{job="api"}',
    );
    expect(runnablePromql({ kind: 'variable', expr: 'label_names()' })).toBeUndefined();
  });
});
