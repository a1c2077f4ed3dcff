import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckResult } from '../core/check-result.ts';
import { JUNIT_FILE, type ScenarioResult } from './result.ts';

/*
 * JUnit XML for CI: one <testsuite> per scenario, one <testcase> per check. Check examples and error
 * messages carry arbitrary service output, so everything is escaped, and characters XML 1.0 cannot
 * hold at all (NUL, other controls, lone surrogates) are spelled out as \uXXXX.
 */

// Everything outside XML 1.0's Char production: https://www.w3.org/TR/xml/#charsets
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

function clean(s: string): string {
  return s.replace(NOT_XML_CHAR, (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`);
}

/** Escapes text content. */
export function escapeXmlText(s: string): string {
  return clean(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escapes an attribute value; line breaks and tabs become references, since parsers turn them into spaces. */
export function escapeXmlAttr(s: string): string {
  return escapeXmlText(s)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
}

function attrs(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([k, v]) => ` ${k}="${escapeXmlAttr(String(v))}"`)
    .join('');
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

function checkCase(scenario: string, check: CheckResult): string {
  const open = `    <testcase${attrs({ classname: `faultline.${scenario}`, name: check.name, time: 0 })}`;
  if (check.valid) return `${open}/>`;
  const { errorCount, first, worst, last, figures } = check;
  const detail = JSON.stringify({ errorCount, first, worst, last, figures }, null, 2) ?? '';
  const message = `${errorCount} error${errorCount === 1 ? '' : 's'}: ${check.description}`;
  return [
    `${open}>`,
    `      <failure${attrs({ type: check.name, message })}>${escapeXmlText(detail)}</failure>`,
    '    </testcase>',
  ].join('\n');
}

function extraCase(scenario: string, name: string, element: 'error' | 'failure', message: string): string {
  return [
    `    <testcase${attrs({ classname: `faultline.${scenario}`, name, time: 0 })}>`,
    `      <${element}${attrs({ type: name, message: message.split('\n')[0] ?? '' })}>${escapeXmlText(message)}</${element}>`,
    '    </testcase>',
  ].join('\n');
}

function faultLines(result: ScenarioResult): string {
  return result.faults
    .map((f) => {
      const end = f.endedAt === null ? 'never healed' : `${f.endedAt} ms`;
      return `${f.kind} ${f.target}: ${f.startedAt} ms → ${end}${f.note ? ` (${f.note})` : ''}`;
    })
    .join('\n');
}

/**
 * The JUnit XML document for one run. An `error` verdict adds a `run` test case holding an <error>; a
 * `skipped` one a `run` test case marked <skipped> with what the target lacked.
 */
export function junitXml(result: ScenarioResult): string {
  const cases = result.checks.map((c) => checkCase(result.scenario, c));
  let failures = result.checks.filter((c) => !c.valid).length;
  let errors = 0;
  let skipped = 0;
  if (result.verdict === 'skipped') {
    skipped = 1;
    const message = `the target lacks ${(result.skipped ?? []).join('; ')}`;
    cases.push(
      [
        `    <testcase${attrs({ classname: `faultline.${result.scenario}`, name: 'run', time: 0 })}>`,
        `      <skipped${attrs({ message })}/>`,
        '    </testcase>',
      ].join('\n'),
    );
  } else if (result.verdict === 'error') {
    errors = 1;
    cases.push(
      extraCase(result.scenario, 'run', 'error', result.error ?? 'the run failed without a message'),
    );
  } else if (result.verdict === 'vacuous') {
    // Every check held, but a fault hit no live work: CI must not take it for a pass.
    failures += 1;
    cases.push(
      extraCase(result.scenario, 'faults-hit-live-work', 'failure', (result.vacuous ?? []).join('\n')),
    );
  } else if (result.verdict === 'fail' && failures === 0) {
    // A fail verdict no check explains still has to fail the CI job.
    failures = 1;
    cases.push(
      extraCase(result.scenario, 'verdict', 'failure', 'the run failed although every check passed'),
    );
  }
  const counts = { tests: cases.length, failures, errors, skipped, time: seconds(result.durationMs) };
  const properties = {
    runId: result.runId,
    seed: result.seed,
    scale: result.scale,
    sabotage: result.sabotage ?? '',
    target: result.target ? `${result.target.name} (${result.target.mode})` : '',
    verdict: result.verdict,
    ...Object.fromEntries(Object.entries(result.figures).map(([k, v]) => [`figure.${k}`, v])),
  };
  const faults = faultLines(result);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({ name: 'faultline', ...counts })}>`,
    `  <testsuite${attrs({ name: result.scenario, ...counts, timestamp: result.startedAt })}>`,
    '    <properties>',
    ...Object.entries(properties).map(([name, value]) => `      <property${attrs({ name, value })}/>`),
    '    </properties>',
    ...cases,
    ...(faults ? [`    <system-out>${escapeXmlText(faults)}</system-out>`] : []),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

/** Writes `junit.xml` into `dir` (created if needed) and returns its path. */
export function writeJunit(dir: string, result: ScenarioResult): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, JUNIT_FILE);
  writeFileSync(path, junitXml(result));
  return path;
}
