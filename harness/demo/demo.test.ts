import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ProgressSnapshot } from '../report/terminal.ts';
import { scenarios } from '../scenarios/index.ts';
import { answerCard, findDemo } from './demo-command.ts';
import { DEMOS } from './demos.ts';
import { Narrator } from './narrator.ts';

const snap = (over: Partial<ProgressSnapshot>): ProgressSnapshot => ({
  scenario: 'worker-kill',
  elapsedMs: 0,
  opsPerSec: 0,
  ok: 0,
  fail: 0,
  info: 0,
  activeFault: null,
  ...over,
});

describe('demos', () => {
  it('each runs a scenario of this build, and --sabotage a sabotage that scenario’s selftest catches', () => {
    for (const demo of DEMOS) {
      const scenario = scenarios.find((s) => s.name === demo.scenario);
      expect(scenario, demo.scenario).toBeDefined();
      expect(
        scenario?.sabotages.map((s) => s.sabotage),
        demo.scenario,
      ).toContain(demo.sabotage);
    }
    expect(() => findDemo('nope')).toThrow(/unknown demo "nope"; demos: double-debit, worker-kill/);
  });

  it('narrates the stack coming up, each fault and heal, and live numbers at most every 2 s', () => {
    const lines: string[] = [];
    const narrator = new Narrator(findDemo('worker-kill'), (l) => lines.push(l));
    const sample = {
      t: 0,
      lockWait: null,
      queue: { waiting: 12, active: 3, delayed: 0 },
      inFlight: { transfers: 1, amountCents: 100 },
      costMs: 5,
    };
    narrator.update(snap({ elapsedMs: 1_000 })); // the stack is still starting: nothing to say
    narrator.update(snap({ elapsedMs: 9_000, ok: 10, opsPerSec: 10, sample }));
    narrator.update(snap({ elapsedMs: 10_000, ok: 20, activeFault: 'kill worker-1' }));
    narrator.update(snap({ elapsedMs: 11_500, ok: 30, activeFault: 'kill worker-1' }));
    narrator.update(snap({ elapsedMs: 12_000, ok: 40 }));
    narrator.done(snap({ elapsedMs: 20_000, ok: 2_000 }));
    expect(lines[0]).toBe('▶ stack up, load running');
    expect(lines[1]).toMatch(
      /^ {2}00:09 {2}steady .*accepted 10 {2}refused 0 {2}unknown 0 .*queue 12 waiting, 3 active .*in flight 1 transfer \(100 ¢\)$/,
    );
    expect(lines[2]).toMatch(/^ {2}A worker dies holding jobs/);
    expect(lines[3]).toBe('⚡ fault: kill worker-1');
    expect(lines[4]).toMatch(/00:11 {2}FAULT/);
    expect(lines[5]).toBe('✓ healed: kill worker-1');
    expect(lines.slice(-2)[0]).toMatch(/00:20 {2}done .*accepted 2k/);
    expect(lines.at(-1)).toMatch(/Kills stopped/);
  });

  it('ends a sabotage demo with the check that caught it and this run’s figures', () => {
    const fixture = new URL('../report/html/fixtures/worker-kill-bank-no-key/', import.meta.url);
    const dir = mkdtempSync(join(tmpdir(), 'faultline-demo-'));
    try {
      mkdirSync(dir, { recursive: true });
      const result = readFileSync(new URL('result.json', fixture), 'utf8');
      writeFileSync(join(dir, 'result.json'), result);
      writeFileSync(join(dir, 'samples.jsonl'), readFileSync(new URL('samples.jsonl', fixture)));
      const card = answerCard(findDemo('worker-kill'), JSON.parse(result), dir, true);
      expect(card).toMatch(/^┌─ answer card: worker-kill with sabotage bank-no-key/);
      expect(card).toContain('caught by bank-charged-once — ');
      expect(card).toMatch(/first:\s+│?\s*\{"kind":"double-charge"/);
      expect(card).toMatch(/jobs-1 · What happens if the worker crashes/);
      expect(card).toMatch(/measured now: kills \d+ · stalled takeover p50/);
      expect(card).toContain(`report: ${dir}/report.html`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
