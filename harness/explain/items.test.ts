import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { benchFigureNames } from '../../bench/figure-names.ts';
import { parseOptions } from '../../bench/options.ts';
import { scenarios } from '../scenarios/index.ts';
import { sampledWrites, scenarioWrites, writesKey } from './figure-sources.ts';
import { ITEMS } from './items/index.ts';

/** The numbered items of the design sheet, by section, as written (markdown escapes undone). */
function sheetItems(): Array<{ section: string; number: number; text: string }> {
  const text = readFileSync(new URL('../../docs/interview-prep.md', import.meta.url), 'utf8');
  const out: Array<{ section: string; number: number; text: string }> = [];
  let section = '';
  for (const line of text.split('\n')) {
    const heading = /^#{2,3} (.+)$/.exec(line);
    if (heading) section = heading[1] ?? '';
    const item = /^(\d+)\. (.+)$/.exec(line);
    if (item)
      out.push({ section, number: Number(item[1]), text: (item[2] ?? '').replace(/\\(.)/g, '$1').trim() });
  }
  return out;
}

describe('the design sheet items', () => {
  const sheet = sheetItems();

  it('covers every item of docs/interview-prep.md exactly once, in order, with its own words', () => {
    // 28 cross-questions in four sections, then the 7 answers.
    expect(sheet).toHaveLength(35);
    expect(ITEMS.map((i) => i.question)).toEqual(sheet.map((s) => s.text));
    expect(ITEMS.map((i) => i.number)).toEqual(sheet.map((s) => s.number));
    expect(new Set(ITEMS.map((i) => i.id)).size).toBe(ITEMS.length);
  });

  it('gives every item an answer and either something that measures it or what would', () => {
    for (const item of ITEMS) {
      expect(item.answer.length, item.id).toBeGreaterThan(150);
      if (item.measures.length === 0) expect(item.unmeasured, item.id).toBeTruthy();
      for (const m of item.measures) expect(m.figures.length, item.id).toBeGreaterThan(0);
    }
  });

  it('names only scenarios of this build, and only the checks they run', () => {
    const byName = new Map(scenarios.map((s) => [s.name, s]));
    for (const item of ITEMS) {
      for (const m of item.measures) {
        if (m.kind !== 'scenario') continue;
        const scenario = byName.get(m.scenario);
        expect(scenario, `${item.id}: ${m.scenario}`).toBeDefined();
        for (const ref of m.figures.filter((r) => r.startsWith('check:'))) {
          const check = ref.slice('check:'.length).split('.')[0];
          expect(scenario?.checks, `${item.id}: ${ref}`).toContain(check);
        }
      }
    }
  });

  it('points only at figures a scenario or the bench writes, so a rename breaks this test', () => {
    const bench = benchFigureNames(parseOptions([]));
    const wrong: string[] = [];
    for (const item of ITEMS) {
      for (const m of item.measures) {
        for (const ref of m.figures) {
          const name = ref.replace(/^(check:[^.]+\.|sampled:|finding:)/, '');
          const written =
            m.kind === 'bench'
              ? ref.startsWith('finding:')
                ? bench.findings.has(name)
                : bench.figures.has(name)
              : ref.startsWith('sampled:')
                ? sampledWrites(name)
                : name === 'errors' || scenarioWrites(m.scenario, name);
          if (!written) wrong.push(`${item.id}: ${m.kind === 'bench' ? 'bench' : m.scenario} ${ref}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('writesKey', () => {
  it('finds a figure written as a key, by assignment or through a template, and nothing else', () => {
    expect(writesKey('return { figures: { drain_after_heal_ms: ms } };', 'drain_after_heal_ms')).toBe(true);
    expect(writesKey("figures: { 'outage_ms': 1 }", 'outage_ms')).toBe(true);
    expect(writesKey('figures: { kills, stalled }', 'kills')).toBe(true);
    expect(writesKey('if (x) figures.min_balance_cents = min;', 'min_balance_cents')).toBe(true);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal, as a string
    const template = "for (const label of ['lock_wait', 'lock_hold']) out[`${label}_ms_p99`] = 1;";
    expect(writesKey(template, 'lock_hold_ms_p99')).toBe(true);
    expect(writesKey(template, 'lock_spin_ms_p99')).toBe(false);
    expect(writesKey('const drain_after_heal_ms = 3; log(drain_after_heal_ms);', 'drain_after_heal_ms')).toBe(
      false,
    );
    expect(writesKey('if (figures.outage_ms === 0) return;', 'outage_ms')).toBe(false);
    expect(writesKey('figures: { outage_ms_total: 1 }', 'outage_ms')).toBe(false);
  });
});
