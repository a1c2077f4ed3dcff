/** `faultline explain` for a terminal: every item in two lines, or one item in full. */
import type { Explained, MeasureStatus } from './evaluate.ts';

/** Words wrapped to `width`, each line starting with `indent`. */
export function wrap(text: string, width: number, indent = ''): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(indent + line);
  return lines;
}

const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** "2026-12-01 09:34 UTC" from an ISO time. */
export function when(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** "redis-cut", "postgres-crash --tls", "pg-failover with sabotage async-standby" or "bench (drain)". */
export function measureSource(m: MeasureStatus): string {
  if (m.measure.kind === 'bench') return `bench (${m.measure.section})`;
  if (m.measure.sabotage) return `${m.measure.scenario} with sabotage ${m.measure.sabotage}`;
  return `${m.measure.scenario}${m.measure.tls ? ' --tls' : ''}`;
}

/** The figures a measure's newest run lacks, and the command that measures them. */
export function missingNote(m: MeasureStatus): string {
  return `${m.missing.join(', ')}; measured by ${m.command}`;
}

/** Why a measure has no figure, and the command that would give it one. */
export function notMeasured(m: MeasureStatus): string {
  const missing = m.available
    ? ''
    : m.measure.kind === 'scenario'
      ? ' (a planned scenario, not in this build yet)'
      : ' (the bench is not in this build yet)';
  return `not measured yet: ${m.command}${missing}`;
}

/** The measured figures of a measure, and where they come from. */
export function measuredLine(m: MeasureStatus): string {
  const run = m.run;
  if (!run) return notMeasured(m);
  const verdict = run.verdict && run.verdict !== 'pass' ? `, verdict ${run.verdict.toUpperCase()}` : '';
  return `${m.figures.map((f) => f.text).join(' · ')} — ${measureSource(m)}, ${when(run.startedAt)}${verdict}`;
}

/** The first measure with figures, else the first measure: what a one-line listing shows. */
function headline(e: Explained): MeasureStatus | undefined {
  return e.measures.find((m) => m.figures.length > 0) ?? e.measures[0];
}

/** Every item in two lines, by section, with a count of those answered with a measured figure. */
export function renderList(
  all: Explained[],
  { outDir, width = 110 }: { outDir: string; width?: number },
): string {
  const measured = all.filter((e) => e.measured).length;
  const out = [
    `faultline explain: ${measured} of the design sheet's ${all.length} items answered with a measured figure (newest runs in ${outDir})`,
  ];
  let section = '';
  for (const e of all) {
    if (e.item.section !== section) {
      section = e.item.section;
      out.push('', section);
    }
    const mark = e.measured ? '✓' : '–';
    out.push(`  ${e.item.id.padEnd(10)} ${mark} ${cut(e.item.question, width - 15)}`);
    const m = headline(e);
    const detail = m ? measuredLine(m) : `not measured: ${e.item.unmeasured ?? 'nothing measures it yet'}`;
    out.push(`${' '.repeat(15)}${cut(detail, width - 15)}`);
  }
  const missing = all.filter((e) => !e.measured).map((e) => e.item.id);
  out.push('');
  if (missing.length) out.push(`not measured yet: ${missing.join(', ')}`);
  out.push(
    '`npm run faultline -- explain <id>` shows an answer in full and what measures it; --json for machines.',
  );
  return out.join('\n');
}

/** One item in full: the question, faultline's answer, each measure with its figures or its command. */
export function renderItem(e: Explained, { width = 100 }: { width?: number } = {}): string {
  const { item } = e;
  const out = [
    `${item.id} · ${item.section}, ${item.section === 'Answers' ? 'answer' : 'question'} ${item.number}`,
  ];
  out.push(...wrap(item.question, width), '', "faultline's answer");
  out.push(...wrap(item.answer, width, '  '), '', 'measured by');
  if (item.measures.length === 0) out.push(...wrap(`nothing yet. ${item.unmeasured ?? ''}`, width, '  '));
  for (const m of e.measures) {
    out.push(`  ${m.figures.length ? '✓' : '–'} ${measureSource(m)}: ${m.command}`);
    if (!m.run) {
      out.push(...wrap(notMeasured(m), width, '      '));
      continue;
    }
    out.push(...wrap(m.figures.map((f) => f.text).join(' · '), width, '      '));
    if (m.missing.length) out.push(...wrap(`not in this run: ${missingNote(m)}`, width, '      '));
    out.push(
      `      run ${m.run.runId}, ${when(m.run.startedAt)}${m.run.verdict ? `, verdict ${m.run.verdict.toUpperCase()}` : ''}`,
    );
  }
  return out.join('\n');
}
