/**
 * index.html of a suite or selftest run: every scenario run with its verdict and key figures, linking to
 * its report.html, and a Questions page — the design sheet's items with faultline's answers and the
 * newest measured figure of each, or the command that would measure it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { Explained } from '../../explain/evaluate.ts';
import { measureSource, missingNote } from '../../explain/render-text.ts';
import { formatFigure } from '../figure-format.ts';
import { formatCount, formatDuration } from '../format.ts';
import { REPORT_FILE, type ScenarioResult } from '../result.ts';
import { esc, page, verdictBadge } from './page.ts';

export type IndexKind = 'suite' | 'selftest';

function link(from: string, runDir: string, text: string): string {
  return `<a href="${esc(relative(from, join(runDir, REPORT_FILE)))}">${esc(text)}</a>`;
}

function runsTable(indexDir: string, results: ScenarioResult[], kind: IndexKind): string {
  const rows = results
    .map((r) => {
      const runDir = dirname(r.files.history);
      const figures = Object.entries(r.figures)
        .slice(0, 4)
        .map(([k, v]) => formatFigure(k, v))
        .join(' · ');
      const failed = r.checks.filter((c) => !c.valid).map((c) => c.name);
      const caught =
        kind === 'selftest'
          ? `<td>${failed.length ? `<span class="ok">caught by ${esc(failed.join(', '))}</span>` : r.verdict === 'error' ? '<span class="bad">error</span>' : '<span class="bad">NOT CAUGHT</span>'}</td>`
          : '';
      const o = r.operations;
      return `<tr><td>${link(indexDir, runDir, r.scenario)}</td>${kind === 'selftest' ? `<td>${esc(r.sabotage ?? '')}</td>` : ''}<td>${verdictBadge(r.verdict)}</td>${caught}<td class="num">${formatCount(o.total)}</td><td class="num">${formatCount(o.ok)} / ${formatCount(o.fail)} / ${formatCount(o.info)}</td><td class="num">${r.faults.length}</td><td class="num">${r.checks.length - failed.length}/${r.checks.length}</td><td class="num">${esc(formatDuration(r.durationMs))}</td><td>${esc(figures)}</td></tr>`;
    })
    .join('');
  const head = `<tr><th>scenario</th>${kind === 'selftest' ? '<th>sabotage</th>' : ''}<th>verdict</th>${kind === 'selftest' ? '<th>caught?</th>' : ''}<th>ops</th><th>accepted / refused / unknown</th><th>faults</th><th>checks valid</th><th>time</th><th>key figures</th></tr>`;
  return `<table><thead>${head}</thead><tbody>${rows}</tbody></table>`;
}

function questionsPage(indexDir: string, all: Explained[]): string {
  const measured = all.filter((e) => e.measured).length;
  let section = '';
  const parts: string[] = [
    `<p><b>${measured} of the design sheet’s ${all.length} items</b> are answered with a measured figure from the newest runs. <span class="muted">The same table in a terminal: <code>npm run faultline -- explain</code> (<code>--json</code> for machines).</span></p>`,
  ];
  for (const e of all) {
    if (e.item.section !== section) {
      section = e.item.section;
      parts.push(`<h2>${esc(section)}</h2>`);
    }
    const measures = e.measures
      .map((m) => {
        const what = measureSource(m);
        if (!m.run) {
          const note = m.available ? '' : ' <span class="tag">not in this build yet</span>';
          return `<div class="measure">– ${esc(what)}: not measured yet — <code>${esc(m.command)}</code>${note}</div>`;
        }
        const verdict = m.run.verdict && m.run.verdict !== 'pass' ? ` ${verdictBadge(m.run.verdict)}` : '';
        const missing = m.missing.length
          ? ` <span class="muted">(not in this run: ${esc(missingNote(m))})</span>`
          : '';
        return `<div class="measure">✓ ${esc(what)}: <b>${esc(m.figures.map((f) => f.text).join(' · '))}</b> — ${link(indexDir, m.run.dir, m.run.runId)}, ${esc(m.run.startedAt.slice(0, 16).replace('T', ' '))} UTC${verdict}${missing}</div>`;
      })
      .join('');
    const none =
      e.item.measures.length === 0
        ? `<div class="measure muted">not measured: ${esc(e.item.unmeasured ?? '')}</div>`
        : '';
    parts.push(
      `<div class="question" id="${esc(e.item.id)}"><div class="q">${e.measured ? '<span class="ok">✓</span>' : '<span class="muted">–</span>'} ${esc(e.item.id)} · ${esc(e.item.question)}</div><div>${esc(e.item.answer)}</div>${measures}${none}</div>`,
    );
  }
  return parts.join('\n');
}

/** Writes `<dir>/index.html` for finished runs and returns its path. */
export function writeIndex(
  dir: string,
  opts: { kind: IndexKind; results: ScenarioResult[]; questions: Explained[]; startedAt: Date },
): string {
  mkdirSync(dir, { recursive: true });
  const { kind, results } = opts;
  const counts = ['pass', 'fail', 'vacuous', 'skipped', 'error']
    .map((v) => [v, results.filter((r) => r.verdict === v).length] as const)
    .filter(([, n]) => n > 0)
    .map(([v, n]) => `${n} ${v}`)
    .join(', ');
  const title = `faultline ${kind} — ${opts.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  const intro =
    kind === 'selftest'
      ? 'Each scenario against the deliberately broken variants it must catch: a sabotage passes the selftest when a check fails (verdict FAIL).'
      : 'Each scenario on a fresh native stack. A run passes when every invariant held.';
  const body = `
<h1>${esc(title)}</h1>
<div class="muted">${esc(results.length)} runs: ${esc(counts || 'none')}</div>
<nav><a href="#runs">Runs</a><a href="#questions">Questions</a></nav>
<section id="runs" data-tab>
<p>${esc(intro)} Each name opens that run’s report: timelines with the fault windows, the checks with their examples, every figure with its unit.</p>
${runsTable(dir, results, kind)}
</section>
<section id="questions" data-tab>
${questionsPage(dir, opts.questions)}
</section>`;
  const path = join(dir, 'index.html');
  writeFileSync(path, page({ title, body }));
  return path;
}
