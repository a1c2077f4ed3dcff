import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainRuns } from '../explain/explain-command.ts';
import { chromiumInstalled, inspectPage } from '../report/html/browser-check.ts';
import { writeIndex } from '../report/html/index-page.ts';
import { writeRunReport } from '../report/html/run-report.ts';
import type { ScenarioResult } from '../report/result.ts';

const FIXTURE = new URL('../report/html/fixtures/worker-kill-bank-no-key/', import.meta.url);

/** The fixture's run, laid out in `out` as the runner leaves a run directory. */
function layOut(out: string): { dir: string; result: ScenarioResult } {
  const result = JSON.parse(readFileSync(new URL('result.json', FIXTURE), 'utf8')) as ScenarioResult;
  const dir = join(out, result.runId);
  mkdirSync(dir, { recursive: true });
  result.files = {
    history: join(dir, 'history.jsonl'),
    junit: join(dir, 'junit.xml'),
    logs: join(dir, 'logs'),
  };
  writeFileSync(join(dir, 'result.json'), JSON.stringify(result));
  writeFileSync(join(dir, 'history.jsonl'), gunzipSync(readFileSync(new URL('history.jsonl.gz', FIXTURE))));
  for (const f of ['samples.jsonl', 'environment.json'])
    writeFileSync(join(dir, f), readFileSync(new URL(f, FIXTURE)));
  return { dir, result };
}

// Real headless Chromium (Debian's, through playwright-core); skipped, saying so, only where it is missing.
describe.skipIf(!chromiumInstalled() && !process.env.CI)('the HTML report in headless Chromium', () => {
  let out: string;
  let run: { dir: string; result: ScenarioResult };

  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'faultline-report-'));
    run = layOut(out);
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('draws every chart with data and the fault windows, with no console error, and is screenshotted', async () => {
    const report = writeRunReport(run.dir);
    const screenshot = join(run.dir, 'report.png');
    const seen = await inspectPage(report, { screenshot });
    expect(seen.errors).toEqual([]);
    expect(seen.emptyCharts).toEqual([]);
    expect(seen.charts.map((c) => c.id)).toEqual(['ops', 'latency', 'lock-wait', 'queue', 'in-flight']);
    for (const chart of seen.charts) {
      expect(chart, chart.id).toMatchObject({ drawn: true });
      expect(chart.points, chart.id).toBeGreaterThan(10);
      expect(chart.seriesPixels, chart.id).toBeGreaterThan(50);
      // worker-kill's four kills are shaded on every timeline.
      expect(chart.faultPixels, chart.id).toBeGreaterThan(1_000);
    }
    expect(statSync(screenshot).size).toBeGreaterThan(10_000);
  }, 60_000);

  it('opens the violated check with its examples and the history lines behind them', () => {
    const html = readFileSync(join(run.dir, 'report.html'), 'utf8');
    const failed = run.result.checks.find((c) => !c.valid);
    expect(failed?.name).toBe('bank-charged-once');
    const reference = (failed?.first as { reference?: string } | undefined)?.reference;
    expect(reference).toBeTruthy();
    const section = html.slice(html.indexOf('data-check="bank-charged-once" open'));
    expect(section).toContain('history lines it refers to');
    expect(section.slice(0, section.indexOf('</details>'))).toContain(
      `&quot;id&quot;:&quot;${reference}&quot;`,
    );
    for (const text of ['VIOLATED', 'stalled takeover p50', 'kill', 'worker-2', 'Questions this run answers'])
      expect(html).toContain(text);
  });

  it('shows the selftest index and its Questions page, linking each run’s report', async () => {
    const index = writeIndex(join(out, 'selftest'), {
      kind: 'selftest',
      results: [run.result],
      questions: explainRuns(out),
      startedAt: new Date(run.result.startedAt),
    });
    const html = readFileSync(index, 'utf8');
    expect(html).toContain(`href="../${run.result.runId}/report.html"`);
    expect(html).toContain('caught by bank-charged-once');
    const screenshot = join(out, 'selftest', 'questions.png');
    const seen = await inspectPage(index, { hash: 'questions', screenshot });
    expect(seen.errors).toEqual([]);
    expect(seen.title).toMatch(/^faultline selftest/);
    expect(existsSync(screenshot)).toBe(true);
  }, 60_000);
});
