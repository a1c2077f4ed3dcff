/**
 * Puts each item of the design sheet next to its newest measurement: for every measure, the run that
 * measured it and its figures, formatted with their units — or the command that would measure it.
 */
import { describeFigure, formatFigure, formatFigureValue } from '../report/figure-format.ts';
import type { FigureRef, Item, Measure } from './item.ts';
import { type FoundRun, type LatestRuns, scenarioKey } from './latest-runs.ts';

export interface ResolvedFigure {
  ref: FigureRef;
  /** The figure's own name (the part after `check:<name>.`, `sampled:` or `finding:`). */
  name: string;
  /** A number, or a bench finding in words. */
  value: number | string;
  /** "lock wait p99 313 ms", with the min–max over bench rounds when there is one. */
  text: string;
}

export interface MeasureStatus {
  measure: Measure;
  /** The command that measures it. */
  command: string;
  /** Whether this build has the scenario or the bench (planned ones may not be merged yet). */
  available: boolean;
  run: { runId: string; startedAt: string; dir: string; verdict?: string } | null;
  figures: ResolvedFigure[];
  /** The figures this measure names that the newest run does not have (yet): the command measures them. */
  missing: FigureRef[];
}

export interface Explained {
  item: Item;
  /** At least one of its figures was measured. */
  measured: boolean;
  measures: MeasureStatus[];
}

export interface Availability {
  scenarios: ReadonlySet<string>;
  bench: boolean;
}

/** `npm run faultline -- run <scenario> [--tls]`, `… selftest <scenario>` or `npm run bench`. */
export function commandFor(measure: Measure): string {
  if (measure.kind === 'bench') return 'npm run bench';
  if (measure.sabotage) return `npm run faultline -- selftest ${measure.scenario}`;
  return `npm run faultline -- run ${measure.scenario}${measure.tls ? ' --tls' : ''}`;
}

/** The figures an item reads from a run of `scenario` (a `--tls` run only for its `tls` measures). */
export function scenarioRefs(item: Item, scenario: string, tls: boolean): FigureRef[] {
  return item.measures.flatMap((m) =>
    m.kind === 'scenario' && m.scenario === scenario && Boolean(m.tls) === tls && !m.sabotage
      ? m.figures
      : [],
  );
}

/** Finds one figure in a run, or undefined when the run does not have it. */
export function resolveFigure(
  ref: FigureRef,
  run: FoundRun,
  runs: Pick<LatestRuns, 'sampled'>,
): ResolvedFigure | undefined {
  if (ref.startsWith('finding:')) {
    const name = ref.slice('finding:'.length);
    const value = run.findings[name];
    return value === undefined
      ? undefined
      : { ref, name, value, text: `${name.replace(/_/g, ' ')}: ${value}` };
  }
  let name = ref;
  let value: number | undefined;
  if (ref.startsWith('check:')) {
    const [check = '', figure = ''] = ref.slice('check:'.length).split('.');
    const found = run.checks.find((c) => c.name === check);
    name = figure;
    value = figure === 'errors' ? found?.errorCount : found?.figures?.[figure];
    if (found && value !== undefined) {
      const label =
        figure === 'errors' ? `${check} errors ${value}` : `${formatFigure(figure, value)} (${check})`;
      return { ref, name, value, text: label };
    }
    return undefined;
  }
  if (ref.startsWith('sampled:')) {
    name = ref.slice('sampled:'.length);
    value = runs.sampled(run)[name];
    if (value === undefined) return undefined;
    return { ref, name, value, text: `${formatFigure(name, value)} (sampled)` };
  }
  value = run.figures[name];
  if (value === undefined) return undefined;
  const range = run.ranges[name];
  const { unit, bound } = describeFigure(name);
  const spread = range
    ? ` (${formatFigureValue(range[0], unit, { bound })}–${formatFigureValue(range[1], unit, { bound })})`
    : '';
  return { ref, name, value, text: `${formatFigure(name, value)}${spread}` };
}

/** Every item with its measures resolved against the newest runs. */
export function explainAll(items: readonly Item[], runs: LatestRuns, available: Availability): Explained[] {
  return items.map((item) => {
    const measures = item.measures.map((measure): MeasureStatus => {
      const run =
        measure.kind === 'scenario'
          ? (runs.scenarios.get(scenarioKey(measure.scenario, measure.tls, measure.sabotage)) ?? null)
          : runs.bench;
      const figures = run
        ? measure.figures.flatMap((ref) => {
            const f = resolveFigure(ref, run, runs);
            return f ? [f] : [];
          })
        : [];
      const found = new Set(figures.map((f) => f.ref));
      return {
        measure,
        command: commandFor(measure),
        available: measure.kind === 'scenario' ? available.scenarios.has(measure.scenario) : available.bench,
        run:
          run && figures.length > 0
            ? {
                runId: run.runId,
                startedAt: run.startedAt,
                dir: run.dir,
                ...(run.verdict ? { verdict: run.verdict } : {}),
              }
            : null,
        figures,
        missing: measure.figures.filter((ref) => !found.has(ref)),
      };
    });
    return { item, measured: measures.some((m) => m.figures.length > 0), measures };
  });
}
