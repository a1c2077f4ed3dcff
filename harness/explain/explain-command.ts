/** `faultline explain [id] [--json]`: the design sheet's items with faultline's answers and measurements. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../lib/repo-root.ts';
import { scenarios } from '../scenarios/index.ts';
import { type Availability, type Explained, explainAll } from './evaluate.ts';
import { ITEMS } from './items/index.ts';
import { latestRuns } from './latest-runs.ts';
import { renderItem, renderList } from './render-text.ts';

/** What this build can measure: its scenarios, and the bench when package.json has it. */
export function availability(): Availability {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    scripts?: Record<string, string>;
  };
  return { scenarios: new Set(scenarios.map((s) => s.name)), bench: Boolean(pkg.scripts?.bench) };
}

/** Every item resolved against the newest runs in `outDir`. */
export function explainRuns(outDir: string): Explained[] {
  return explainAll(ITEMS, latestRuns(outDir), availability());
}

/** The JSON `explain --json` prints: one entry per item, and the count measured. */
export function explainJson(all: Explained[]) {
  return {
    total: all.length,
    measured: all.filter((e) => e.measured).length,
    notMeasured: all.filter((e) => !e.measured).map((e) => e.item.id),
    items: all.map((e) => ({
      id: e.item.id,
      section: e.item.section,
      number: e.item.number,
      question: e.item.question,
      answer: e.item.answer,
      measured: e.measured,
      ...(e.item.unmeasured ? { unmeasured: e.item.unmeasured } : {}),
      measures: e.measures.map((m) => ({
        kind: m.measure.kind,
        ...(m.measure.kind === 'scenario'
          ? {
              scenario: m.measure.scenario,
              ...(m.measure.tls ? { tls: true } : {}),
              ...(m.measure.sabotage ? { sabotage: m.measure.sabotage } : {}),
            }
          : { section: m.measure.section }),
        command: m.command,
        available: m.available,
        run: m.run,
        figures: m.figures,
        missing: m.missing,
      })),
    })),
  };
}

export class UnknownItemError extends Error {}

/** Prints the listing, one item, or the JSON; throws UnknownItemError for an id not in the sheet. */
export function explain(opts: { id?: string; json: boolean; outDir: string }): string {
  const all = explainRuns(opts.outDir);
  const chosen = opts.id ? all.filter((e) => e.item.id === opts.id) : all;
  if (opts.id && chosen.length === 0) {
    throw new UnknownItemError(`unknown item "${opts.id}"; known: ${all.map((e) => e.item.id).join(', ')}`);
  }
  if (opts.json) {
    const json = explainJson(chosen);
    return JSON.stringify(opts.id ? json.items[0] : json, null, 2);
  }
  return opts.id ? renderItem(chosen[0] as Explained) : renderList(all, { outDir: opts.outDir });
}
