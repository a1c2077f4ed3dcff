/** Writes report.html into a run directory from the files the run left there. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { complete } from '../../checkers/pair.ts';
import { resolveFigure, scenarioRefs } from '../../explain/evaluate.ts';
import { ITEMS } from '../../explain/items/index.ts';
import { readRun } from '../../explain/latest-runs.ts';
import { ENVIRONMENT_FILE, type Environment } from '../environment.ts';
import { readHistory } from '../history-file.ts';
import { HISTORY_FILE, REPORT_FILE, RESULT_FILE, type ScenarioResult } from '../result.ts';
import { readSamples, sampledFigures, summarizeSamples } from '../sample-summary.ts';
import { runPage } from './run-page.ts';
import { buildTimelines } from './timelines.ts';

/** The design sheet's items this scenario measures, each with this run's figures. */
function questionsFor(dir: string, scenario: string) {
  const run = readRun(dir);
  const summary = sampledFigures(dir);
  const sampled = () => summary;
  return ITEMS.flatMap((item) => {
    const refs = scenarioRefs(item, scenario, run?.tls ?? false);
    if (refs.length === 0) return [];
    const figures = run ? refs.flatMap((ref) => resolveFigure(ref, run, { sampled }) ?? []) : [];
    return [{ item, figures }];
  });
}

/**
 * Reads result.json, history.jsonl, samples.jsonl and environment.json of a run directory and writes
 * its report.html; returns the path. Works on any run directory, so a report can be made again later.
 */
export function writeRunReport(dir: string): string {
  const result = JSON.parse(readFileSync(join(dir, RESULT_FILE), 'utf8')) as ScenarioResult;
  const historyPath = join(dir, HISTORY_FILE);
  const ops = existsSync(historyPath) ? readHistory(historyPath) : [];
  const historyLines = existsSync(historyPath) ? readFileSync(historyPath, 'utf8').split('\n') : [];
  const samples = readSamples(dir);
  const envPath = join(dir, ENVIRONMENT_FILE);
  const environment = existsSync(envPath) ? (JSON.parse(readFileSync(envPath, 'utf8')) as Environment) : null;
  const html = runPage({
    result,
    timelines: buildTimelines({
      ops: complete(ops),
      samples,
      faults: result.faults,
      ...(result.roles ? { roles: result.roles } : {}),
    }),
    ops,
    historyLines,
    environment,
    sampling: samples.length ? summarizeSamples(samples) : {},
    questions: questionsFor(dir, result.scenario),
  });
  const path = join(dir, REPORT_FILE);
  writeFileSync(path, html);
  return path;
}
