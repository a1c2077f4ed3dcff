/**
 * report.html of one scenario run: verdict, timelines with the fault windows, the checks with their
 * examples and the history lines behind them, every figure with its unit, the questions of the design
 * sheet this run answers, and where and on what it ran.
 */
import type { CheckResult } from '../../core/check-result.ts';
import type { Op } from '../../core/history.ts';
import type { ResolvedFigure } from '../../explain/evaluate.ts';
import type { Item } from '../../explain/item.ts';
import type { Environment } from '../environment.ts';
import { describeFigure, formatFigureValue, unitLabel } from '../figure-format.ts';
import { formatDuration } from '../format.ts';
import type { ScenarioResult } from '../result.ts';
import { matchingHistoryLines } from './history-match.ts';
import { esc, page, verdictBadge } from './page.ts';
import { hasData, type Timelines } from './timelines.ts';

export interface RunPageInput {
  result: ScenarioResult;
  timelines: Timelines;
  ops: Op[];
  /** The raw history.jsonl lines, one per op. */
  historyLines: string[];
  environment: Environment | null;
  /** From samples.jsonl (sample-summary.ts). */
  sampling: Record<string, number>;
  /** Items of the design sheet this scenario measures, with this run's figures for each. */
  questions: Array<{ item: Item; figures: ResolvedFigure[] }>;
}

function figureRows(figures: Record<string, number>): string {
  return Object.entries(figures)
    .map(([name, value]) => {
      const { label, unit, bound } = describeFigure(name);
      return `<tr><td>${esc(label)}</td><td class="num">${esc(formatFigureValue(value, unit, { bound }))}</td><td class="muted">${esc(unitLabel(unit))}</td><td><code>${esc(name)}</code></td></tr>`;
    })
    .join('');
}

function figureTable(figures: Record<string, number> | undefined): string {
  if (!figures || Object.keys(figures).length === 0) return '';
  return `<table><thead><tr><th>figure</th><th>value</th><th>unit</th><th>name</th></tr></thead><tbody>${figureRows(figures)}</tbody></table>`;
}

function charts(t: Timelines): string {
  return t.charts
    .map((c) => {
      const body = hasData(c)
        ? `<div class="chart" data-chart="${esc(c.id)}"></div>`
        : `<div class="chart-empty">${esc(c.empty)}</div>`;
      const unit = c.rightUnit ? `${c.unit}; right axis: ${c.rightUnit}` : c.unit;
      return `<div class="chart-box"><h3>${esc(c.title)} <span class="muted">(${esc(unit)})</span></h3>${body}</div>`;
    })
    .join('');
}

function faultTable(r: ScenarioResult): string {
  if (r.faults.length === 0) return '<p class="muted">No fault was injected in this run.</p>';
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const rows = r.faults
    .map(
      (f) =>
        `<tr><td>${esc(f.kind)}</td><td>${esc(f.target)}</td><td class="num">${s(f.startedAt)}</td><td class="num">${f.endedAt === null ? 'never healed' : s(f.endedAt)}</td><td class="num">${f.endedAt === null ? '–' : s(f.endedAt - f.startedAt)}</td><td>${esc(f.note ?? '')}</td></tr>`,
    )
    .join('');
  return `<table><thead><tr><th>fault</th><th>target</th><th>from</th><th>to</th><th>lasted</th><th>note</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function example(label: string, value: unknown, input: RunPageInput): string {
  if (value === undefined) return '';
  const matched = matchingHistoryLines(value, input.ops, input.historyLines);
  const lines = matched.lines.length
    ? `<div class="muted">history lines it refers to${matched.more ? ` (first ${matched.lines.length}; ${matched.more} more match)` : ''}:</div><pre class="history">${esc(matched.lines.join('\n'))}</pre>`
    : '<div class="muted">no history line names this example (it is about the final state or a server-side count).</div>';
  return `<h4>${esc(label)} example</h4><pre>${esc(JSON.stringify(value, null, 2))}</pre>${lines}`;
}

function check(c: CheckResult, input: RunPageInput): string {
  const mark = c.valid ? '<span class="ok">✓ valid</span>' : '<span class="bad">✗ VIOLATED</span>';
  const errors = c.valid ? '' : ` · ${c.errorCount} error${c.errorCount === 1 ? '' : 's'}`;
  const examples = c.valid
    ? ''
    : `${example('first', c.first, input)}${c.worst !== undefined && JSON.stringify(c.worst) !== JSON.stringify(c.first) ? example('worst', c.worst, input) : ''}`;
  return `<details class="check" data-check="${esc(c.name)}"${c.valid ? '' : ' open'}><summary>${esc(c.name)} — ${mark}${errors}</summary><p>${esc(c.description)}</p>${figureTable(c.figures)}${examples}</details>`;
}

function questions(input: RunPageInput): string {
  if (input.questions.length === 0) return '';
  const items = input.questions
    .map(({ item, figures }) => {
      const measured = figures.length
        ? `<div class="measure">measured here: ${esc(figures.map((f) => f.text).join(' · '))}</div>`
        : '';
      return `<div class="question"><div class="q">${esc(item.id)} · ${esc(item.question)}</div><div>${esc(item.answer)}</div>${measured}</div>`;
    })
    .join('');
  return `<h2>Questions this run answers</h2>${items}`;
}

function environment(input: RunPageInput): string {
  const { result: r, environment: env, sampling } = input;
  const rows: Array<[string, string]> = [
    ['run id', r.runId],
    ['started', r.startedAt],
    ['seed', String(r.seed)],
    ['scale', r.scale],
    ['target', targetLine(r)],
    ['sabotage', r.sabotage ?? 'none (the correct service)'],
  ];
  if (env) {
    rows.push(
      ['commit', env.commit ?? 'not a git checkout'],
      ['node', env.node],
      ['PostgreSQL', env.postgres ?? 'unknown'],
      ['Redis', env.redis ?? 'unknown'],
      ['machine', `${env.cpus} × ${env.cpuModel}, ${env.memGiB} GiB, ${env.os}`],
    );
  }
  if (sampling.samples) {
    rows.push([
      'sampling',
      `${sampling.samples} samples, every ${formatFigureValue(sampling.sample_interval_ms_p50 ?? 0, 'ms')} (median); each took ${formatFigureValue(sampling.sample_cost_ms_p50 ?? 0, 'ms')} (median), at most ${formatFigureValue(sampling.sample_cost_ms_max ?? 0, 'ms')}`,
    ]);
  }
  const files = [
    'result.json',
    'junit.xml',
    'history.jsonl',
    'samples.jsonl',
    'events.jsonl',
    'runner.log',
    // A described target's logs are its own: only a native run keeps every process's log.
    ...(r.target?.mode === 'black-box' ? [] : ['logs/']),
  ]
    .map((f) => `<a href="${esc(f)}">${esc(f)}</a>`)
    .join(' · ');
  rows.push(['files', files]);
  return `<table>${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${k === 'files' ? v : esc(v)}</td></tr>`).join('')}</table>`;
}

/** Which target ran, and how: the native stack, or a described one (black-box). */
function targetLine(r: RunPageInput['result']): string {
  if (!r.target) return 'the native stack';
  const { name, mode, file } = r.target;
  return mode === 'native' ? `${name}: the native stack` : `${name}: black-box, described by ${file ?? '?'}`;
}

/** The whole report.html of a run. */
export function runPage(input: RunPageInput): string {
  const r = input.result;
  const failed = r.checks.filter((c) => !c.valid);
  const ops = r.operations;
  const summary = [
    ['operations', ops.total],
    ['accepted', ops.ok],
    ['refused', ops.fail],
    ['unknown', ops.info],
    ['faults', r.faults.length],
    ['checks', `${r.checks.length - failed.length} / ${r.checks.length} valid`],
    ['duration', formatDuration(r.durationMs)],
  ]
    .map(([k, v]) => `<div><b>${esc(v)}</b><span class="muted">${esc(k)}</span></div>`)
    .join('');
  const body = `
<header>
<h1>${esc(r.scenario)} ${verdictBadge(r.verdict)}</h1>
<div class="muted">${r.sabotage ? `against sabotage <b>${esc(r.sabotage)}</b> · ` : ''}${esc(targetLine(r))} · seed ${esc(r.seed)} · scale ${esc(r.scale)} · ${esc(r.startedAt)}</div>
</header>
${r.skipped ? `<h2>Skipped</h2><p>The target lacks what this scenario needs:</p><ul>${r.skipped.map((s) => `<li>${esc(s)}</li>`).join('')}</ul>` : ''}
<div class="summary">${summary}</div>
${r.error ? `<h2>Error</h2><pre>${esc(r.error)}</pre>` : ''}
${failed.length ? `<p class="bad">Violated: ${failed.map((c) => esc(c.name)).join(', ')}</p>` : ''}
<h2>Timelines</h2>
<p class="muted">Shaded bands are fault windows, from injection to heal${input.timelines.failovers.length ? '; amber bands are failovers, while no member was primary' : ''}. Operations and latency come from the history (the clients’ view); lock wait, queue depth and money in flight from the runner’s samples of the service, about once a second${input.result.roles ? '; which member was primary from the runner asking each member directly, every 250 ms' : ''}.</p>
<div class="charts">${charts(input.timelines)}</div>
<h3>Faults</h3>
${faultTable(r)}
<h2>Checks</h2>
${r.checks.map((c) => check(c, input)).join('') || '<p class="muted">No check ran (the run broke before).</p>'}
<h2>Figures</h2>
${figureTable(r.figures) || '<p class="muted">No figures.</p>'}
${questions(input)}
<h2>Environment</h2>
${environment(input)}
`;
  return page({
    title: `${r.scenario} ${r.verdict.toUpperCase()} — faultline`,
    body,
    data: {
      start: input.timelines.start,
      end: input.timelines.end,
      charts: input.timelines.charts.filter(hasData),
      faults: input.timelines.faults,
      failovers: input.timelines.failovers,
    },
  });
}
