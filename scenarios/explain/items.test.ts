import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scenarios } from '../suites/index.ts';
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

/** Planned scenarios of the other branches (CONTRACTS §4) that items may name before they are merged. */
const PLANNED = ['lossy-bank', 'poison-job', 'deploy-drain', 'deadlock', 'bank-partition', 'fraud-burst'];

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

  it('names only scenarios of this build or planned ones', () => {
    const known = new Set([...scenarios.map((s) => s.name), ...PLANNED]);
    for (const item of ITEMS) {
      for (const m of item.measures) if (m.kind === 'scenario') expect(known, item.id).toContain(m.scenario);
    }
  });
});
