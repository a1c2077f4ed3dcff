import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../stack/service.ts';

/**
 * The queries of the Grafana dashboards in observability/grafana/dashboards/, and the check that each PromQL one
 * returns data from a real Prometheus (observability/check.ts) unless it is listed, with a
 * reason, in observability/grafana/queries-allowed-empty.json.
 */

export const dashboardsDir = join(repoRoot, 'observability', 'grafana', 'dashboards');
export const allowedEmptyFile = join(repoRoot, 'observability', 'grafana', 'queries-allowed-empty.json');

/** A dashboard as far as these checks read it. */
export interface Dashboard {
  uid: string;
  title: string;
  panels?: Panel[];
  annotations?: { list?: AnnotationQuery[] };
  templating?: { list?: Variable[] };
  [key: string]: unknown;
}

export interface DatasourceRef {
  type?: string;
  uid?: string;
}

export interface Panel {
  id?: number;
  type: string;
  title: string;
  datasource?: DatasourceRef;
  targets?: Array<{ refId?: string; expr?: string; datasource?: DatasourceRef }>;
  panels?: Panel[];
}

interface AnnotationQuery {
  name: string;
  datasource?: DatasourceRef;
  expr?: string;
}

interface Variable {
  name: string;
  datasource?: DatasourceRef;
  query?: string | { query?: string };
}

export interface DashboardFile {
  file: string;
  dashboard: Dashboard;
}

export function loadDashboards(dir = dashboardsDir): DashboardFile[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, dashboard: JSON.parse(readFileSync(join(dir, file), 'utf8')) as Dashboard }));
}

/** Every panel, rows' nested panels included. */
export function allPanels(dashboard: Dashboard): Panel[] {
  const out: Panel[] = [];
  const walk = (panels: Panel[] | undefined) => {
    for (const p of panels ?? []) {
      out.push(p);
      walk(p.panels);
    }
  };
  walk(dashboard.panels);
  return out;
}

export interface DashboardQuery {
  /** Dashboard uid. */
  dashboard: string;
  /** Panel title, annotation name, or `$variable`. */
  panel: string;
  refId: string;
  kind: 'panel' | 'annotation' | 'variable';
  /** Datasource uid the query runs on. */
  datasource: string;
  expr: string;
}

/** Every query of a dashboard: panel targets, annotation queries, and variable queries. */
export function dashboardQueries(dashboard: Dashboard): DashboardQuery[] {
  const out: DashboardQuery[] = [];
  for (const panel of allPanels(dashboard)) {
    for (const t of panel.targets ?? []) {
      const datasource = t.datasource?.uid ?? panel.datasource?.uid ?? '';
      if (t.expr !== undefined) {
        out.push({
          dashboard: dashboard.uid,
          panel: panel.title,
          refId: t.refId ?? 'A',
          kind: 'panel',
          datasource,
          expr: t.expr,
        });
      }
    }
  }
  for (const a of dashboard.annotations?.list ?? []) {
    if (a.expr !== undefined) {
      out.push({
        dashboard: dashboard.uid,
        panel: a.name,
        refId: 'annotation',
        kind: 'annotation',
        datasource: a.datasource?.uid ?? '',
        expr: a.expr,
      });
    }
  }
  for (const v of dashboard.templating?.list ?? []) {
    const query = typeof v.query === 'string' ? v.query : v.query?.query;
    if (query) {
      out.push({
        dashboard: dashboard.uid,
        panel: `$${v.name}`,
        refId: 'variable',
        kind: 'variable',
        datasource: v.datasource?.uid ?? '',
        expr: query,
      });
    }
  }
  return out;
}

/** Grafana's own interval variables, as the check substitutes them. */
const BUILTINS: Record<string, string> = {
  __rate_interval: '1m',
  __interval: '15s',
  __interval_ms: '15000',
  __range: '1h',
  __range_s: '3600',
  __range_ms: '3600000',
};

/**
 * The PromQL Prometheus can run for a dashboard query: Grafana's interval variables become fixed
 * durations, dashboard variables match everything (they are used with =~), and a variable's
 * `label_values(metric, label)` becomes a query for `metric`. Undefined when there is nothing to run.
 */
export function runnablePromql(q: Pick<DashboardQuery, 'kind' | 'expr'>): string | undefined {
  let expr = q.expr;
  if (q.kind === 'variable') {
    const m = /^\s*label_values\(\s*(.+?)\s*,\s*[a-zA-Z_][a-zA-Z0-9_]*\s*\)\s*$/.exec(expr);
    if (!m?.[1]) return undefined;
    expr = m[1];
  }
  return expr.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]/g, (_all, a, b, c) => {
    const name = (a ?? b ?? c) as string;
    return BUILTINS[name] ?? '.*';
  });
}

export interface AllowedEmpty {
  dashboard: string;
  panel: string;
  /** One target of the panel; all of its targets when absent. */
  refId?: string;
  reason: string;
}

export function loadAllowedEmpty(file = allowedEmptyFile): AllowedEmpty[] {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { allowedEmpty?: AllowedEmpty[] };
  return parsed.allowedEmpty ?? [];
}

export function allowanceFor(q: DashboardQuery, allowed: AllowedEmpty[]): AllowedEmpty | undefined {
  return allowed.find(
    (a) =>
      a.dashboard === q.dashboard && a.panel === q.panel && (a.refId === undefined || a.refId === q.refId),
  );
}

export type QueryVerdict = 'data' | 'allowed-empty' | 'empty' | 'error';

export interface QueryCheck {
  query: DashboardQuery;
  promql: string;
  verdict: QueryVerdict;
  series: number;
  detail?: string;
}

/** Runs `promql` as a range query; resolves the number of series, throws with Prometheus's error. */
export async function rangeSeries(
  prometheusUrl: string,
  promql: string,
  range: { start: number; end: number; stepSeconds: number },
): Promise<number> {
  const body = new URLSearchParams({
    query: promql,
    start: String(range.start / 1000),
    end: String(range.end / 1000),
    step: `${range.stepSeconds}s`,
  });
  const res = await fetch(`${prometheusUrl}/api/v1/query_range`, {
    method: 'POST',
    body,
    signal: AbortSignal.timeout(30_000),
  });
  const json = (await res.json()) as { status: string; error?: string; data?: { result?: unknown[] } };
  if (json.status !== 'success') throw new Error(json.error ?? `HTTP ${res.status}`);
  return json.data?.result?.length ?? 0;
}

/** Checks every PromQL query of `queries` against a Prometheus over `range`. */
export async function checkQueries(
  prometheusUrl: string,
  queries: DashboardQuery[],
  allowed: AllowedEmpty[],
  range: { start: number; end: number },
): Promise<QueryCheck[]> {
  // About 200 points over the range: enough to find a short fault window, cheap to evaluate.
  const stepSeconds = Math.max(5, Math.ceil((range.end - range.start) / 1000 / 200));
  const checks: QueryCheck[] = [];
  for (const query of queries) {
    const promql = runnablePromql(query);
    if (!promql) continue;
    try {
      const series = await rangeSeries(prometheusUrl, promql, { ...range, stepSeconds });
      const allowance = allowanceFor(query, allowed);
      const verdict: QueryVerdict = series > 0 ? 'data' : allowance ? 'allowed-empty' : 'empty';
      checks.push({ query, promql, verdict, series, ...(allowance ? { detail: allowance.reason } : {}) });
    } catch (err) {
      checks.push({ query, promql, verdict: 'error', series: 0, detail: (err as Error).message });
    }
  }
  return checks;
}
