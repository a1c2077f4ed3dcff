import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { valueIn } from '../../harness/client/metrics-scrape.ts';
import { runClosed } from '../../harness/load/generator.ts';
import { MissingBinaryError } from '../../stack/binaries.ts';
import type { Role, ServiceHandle } from '../../stack/index.ts';
import { type Monitoring, startMonitoring } from '../../stack/monitoring.ts';
import { scrapeTargets, writeTargetFile } from '../../stack/scrape-targets.ts';
import type { BenchContext } from '../context.ts';
import { familyCpuMs } from '../probes/cpu.ts';
import type { Section } from '../section.ts';
import { countsOf, keyStem, postPayout } from '../workloads.ts';

/**
 * What watching the stack costs (design sheet, general-7), on the stack the bench has just loaded:
 * - per role, one process's /metrics: its series (sample lines), the bytes of one scrape, and the CPU
 *   one scrape costs that process (from /proc, its idle rate over the same time taken off);
 * - a real Prometheus (the one `npm run up` runs, with the alert rules) scraping every process and
 *   exporter of the stack each second while payouts flow: its head series, samples appended per
 *   second, share of a core and resident memory — what a single VM pays per scraped stack;
 * - the log bytes every process writes per payout in that window (what Loki would ingest).
 * Prometheus is skipped, and said so in a finding, where it is not installed.
 */

export const OBSERVED_ROLES: readonly Role[] = ['api', 'relay', 'worker', 'recon', 'bank'];
const SCRAPES = 30;
const IDLE_MS = 400;
const SCRAPE_INTERVAL_S = 1;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sample lines of an exposition text: every line that is neither a comment nor empty. */
export function seriesIn(text: string): number {
  let n = 0;
  for (const line of text.split('\n')) if (line !== '' && !line.startsWith('#')) n++;
  return n;
}

async function metricsText(p: ServiceHandle): Promise<string> {
  const res = await fetch(`${p.opsUrl}/metrics`, { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`${p.name}: /metrics answered ${res.status}`);
  return res.text();
}

/** One process's /metrics: series, bytes per scrape, and the CPU ms one scrape costs it. */
async function scrapeCost(p: ServiceHandle) {
  const idle0 = familyCpuMs(p.pid);
  const t0 = performance.now();
  await sleep(IDLE_MS);
  const idleRate = (familyCpuMs(p.pid) - idle0) / (performance.now() - t0);
  const cpu0 = familyCpuMs(p.pid);
  const t1 = performance.now();
  let bytes = 0;
  let text = '';
  for (let i = 0; i < SCRAPES; i++) {
    text = await metricsText(p);
    bytes += Buffer.byteLength(text);
  }
  const wall = performance.now() - t1;
  const cpu = familyCpuMs(p.pid) - cpu0 - idleRate * wall;
  return {
    series: seriesIn(text),
    bytes: Math.round(bytes / SCRAPES),
    cpuMs: Math.max(0, Math.round((cpu / SCRAPES) * 1000) / 1000),
  };
}

/** Bytes of every log file the stack's processes write. */
function logBytes(dir: string): number {
  let total = 0;
  for (const f of readdirSync(dir)) total += statSync(join(dir, f)).size;
  return total;
}

function rssBytes(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb ?? 0) * 1024;
}

async function prometheusValue(url: string, name: string): Promise<number> {
  const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5_000) });
  return valueIn([await res.text()], name);
}

/** Waits until Prometheus has scraped every target at least once (or `ms` passed). */
async function targetsUp(url: string, expected: number, ms: number): Promise<number> {
  const until = performance.now() + ms;
  let up = 0;
  while (performance.now() < until) {
    const res = await fetch(
      `${url}/api/v1/query?query=${encodeURIComponent('count(up{job!~"prometheus|pushgateway"} == 1)')}`,
    );
    const body = (await res.json()) as { data?: { result?: Array<{ value: [number, string] }> } };
    up = Number(body.data?.result?.[0]?.value[1] ?? 0);
    if (up >= expected) return up;
    await sleep(250);
  }
  return up;
}

/** A Prometheus scraping every process of the stack each second, or why there is none. */
async function startPrometheus(
  ctx: BenchContext,
): Promise<{ monitoring: Monitoring; targets: number } | { missing: string }> {
  const dir = join(ctx.runDir, 'monitoring');
  const groups = scrapeTargets(ctx.stack.info());
  writeTargetFile(join(dir, 'targets', 'bench.json'), groups);
  try {
    const monitoring = await startMonitoring({
      dir,
      targetsDir: join(dir, 'targets'),
      scrapeIntervalSeconds: SCRAPE_INTERVAL_S,
    });
    return { monitoring, targets: groups.length };
  } catch (err) {
    if (err instanceof MissingBinaryError) return { missing: err.message };
    throw err;
  }
}

/** Payouts from two clients back to back for `seconds`: the stack busy, the machine not saturated. */
async function lightTraffic(ctx: BenchContext, seconds: number): Promise<number> {
  const stem = keyStem('observability');
  const payer = ctx.fixtures.payers[1] ?? ctx.fixtures.payers[0];
  if (!payer) throw new Error('no payer fixture');
  const r = await runClosed({
    clients: 2,
    durationMs: seconds * 1000,
    timeoutMs: 10_000,
    request: (i, signal) => postPayout(ctx.api, payer, payer.accounts[0] as string, `${stem}-${i}`, signal),
  });
  return countsOf(r).ok;
}

export const observabilitySection: Section = {
  name: 'observability',
  title:
    'Observability cost: series and scrape cost per role, a real Prometheus scraping the stack, log bytes',
  estimateS: (o) => (o.quick ? 10 : 20),
  async once(ctx) {
    await ctx.pipeline.settle({ timeoutMs: 180_000 });
    const figures: Record<string, number> = {};
    const findings: Record<string, string> = {};
    const running = ctx.stack.services.filter((s) => s.running);
    let allSeries = 0;
    for (const p of running) allSeries += seriesIn(await metricsText(p));
    figures.metrics_series_all_processes = allSeries;
    const logs = join(ctx.stack.dir, 'logs');
    const windowS = ctx.opts.quick ? 2 : 5;
    // Every role at once: each one's CPU is read from its own process family.
    const roles = OBSERVED_ROLES.flatMap((role) => {
      const p = running.find((s) => s.role === role);
      return p ? [p] : [];
    });
    const costs = await Promise.all(roles.map((p) => scrapeCost(p)));
    const perRole: Record<string, Awaited<ReturnType<typeof scrapeCost>>> = {};
    for (const [i, p] of roles.entries()) {
      const c = costs[i] as Awaited<ReturnType<typeof scrapeCost>>;
      perRole[p.role] = c;
      figures[`metrics_series_${p.role}`] = c.series;
      figures[`metrics_scrape_bytes_${p.role}`] = c.bytes;
      figures[`metrics_scrape_cpu_ms_${p.role}`] = c.cpuMs;
      ctx.say(
        `  ${p.name.padEnd(10)} ${c.series} series, ${c.bytes} bytes and ${c.cpuMs} ms of its CPU per scrape`,
      );
    }
    const started = await startPrometheus(ctx);
    const prometheus = 'monitoring' in started ? started.monitoring : null;
    if ('missing' in started) findings.prometheus = `not measured: ${started.missing}`;
    let payouts = 0;
    try {
      const url = prometheus?.prometheusUrl;
      const pid = prometheus?.prometheus.pid;
      if (url && 'targets' in started)
        figures.prometheus_targets = await targetsUp(url, started.targets, 10_000);
      const logs0 = logBytes(logs);
      const appended0 = url ? await prometheusValue(url, 'prometheus_tsdb_head_samples_appended_total') : 0;
      const cpu0 = pid ? familyCpuMs(pid) : 0;
      const t0 = performance.now();
      payouts = await lightTraffic(ctx, windowS);
      if (url && pid) {
        const seconds = (performance.now() - t0) / 1000;
        const appended =
          (await prometheusValue(url, 'prometheus_tsdb_head_samples_appended_total')) - appended0;
        figures.prometheus_head_series = await prometheusValue(url, 'prometheus_tsdb_head_series');
        figures.prometheus_samples_per_s = Math.round((appended / seconds) * 10) / 10;
        figures.prometheus_cpu_pct = Math.round(((familyCpuMs(pid) - cpu0) / (seconds * 1000)) * 1000) / 10;
        figures.prometheus_rss_bytes = rssBytes(pid);
        findings.prometheus =
          `${figures.prometheus_head_series} head series from ${figures.prometheus_targets} targets scraped every ${SCRAPE_INTERVAL_S} s ` +
          `(${figures.prometheus_samples_per_s} samples/s): ${figures.prometheus_cpu_pct}% of a core, ` +
          `${Math.round(figures.prometheus_rss_bytes / 2 ** 20)} MiB resident`;
        ctx.say(`  prometheus: ${findings.prometheus}`);
      }
      await ctx.pipeline.settle({ timeoutMs: 180_000 });
      figures.log_bytes_per_payout = payouts > 0 ? Math.round((logBytes(logs) - logs0) / payouts) : 0;
      ctx.say(
        `  logs: ${figures.log_bytes_per_payout} bytes per payout over every process (${payouts} payouts)`,
      );
    } finally {
      await prometheus?.stop();
    }
    return { figures, findings, detail: { perRole, payouts, windowS } };
  },
};
