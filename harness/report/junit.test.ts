import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { escapeXmlAttr, escapeXmlText, junitXml, writeJunit } from './junit.ts';
import { sampleResult } from './test-fixtures.ts';

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const XML_CHARS = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;

function decode(s: string, where: string): string {
  return s.replace(/&([^;]*);?/g, (ref, body: string) => {
    if (!ref.endsWith(';')) throw new Error(`bare & in ${where}`);
    if (body in ENTITIES) return ENTITIES[body] ?? '';
    const code = /^#x([0-9a-fA-F]+)$/.exec(body)?.[1] ?? /^#([0-9]+)$/.exec(body)?.[1];
    if (code === undefined) throw new Error(`unknown entity &${body}; in ${where}`);
    return String.fromCodePoint(Number.parseInt(code, body.startsWith('#x') ? 16 : 10));
  });
}

/** A strict little XML 1.0 reader: enough to prove well-formedness of what junit.ts writes. */
function parseXml(xml: string): XmlElement {
  if (!XML_CHARS.test(xml)) throw new Error('character not allowed in XML');
  let pos = xml.startsWith('<?xml') ? xml.indexOf('?>') + 2 : 0;
  const root: XmlElement = { name: '#document', attrs: {}, children: [], text: '' };
  const stack = [root];
  while (pos < xml.length) {
    const top = stack[stack.length - 1] as XmlElement;
    const lt = xml.indexOf('<', pos);
    const text = xml.slice(pos, lt === -1 ? xml.length : lt);
    if (text.includes(']]>')) throw new Error(']]> in text');
    top.text += decode(text, `text of ${top.name}`);
    if (lt === -1) break;
    const close = /^<\/([A-Za-z_][\w.-]*)\s*>/.exec(xml.slice(lt));
    if (close) {
      if (close[1] !== top.name) throw new Error(`</${close[1]}> closes <${top.name}>`);
      stack.pop();
      pos = lt + close[0].length;
      continue;
    }
    const open = /^<([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/.exec(
      xml.slice(lt),
    );
    if (!open) throw new Error(`malformed tag at ${lt}: ${xml.slice(lt, lt + 40)}`);
    const element: XmlElement = { name: open[1] ?? '', attrs: {}, children: [], text: '' };
    for (const [, name, quoted] of (open[2] ?? '').matchAll(/([A-Za-z_][\w.-]*)\s*=\s*("[^"]*"|'[^']*')/g)) {
      if (name === undefined || quoted === undefined) continue;
      if (name in element.attrs) throw new Error(`duplicate attribute ${name}`);
      // Attribute-value normalization: a literal line break or tab reads back as a space.
      element.attrs[name] = decode(quoted.slice(1, -1).replace(/[\t\n\r]/g, ' '), `attribute ${name}`);
    }
    if (stack.length === 1 && root.children.length > 0) throw new Error('more than one root element');
    top.children.push(element);
    if (open[3] !== '/') stack.push(element);
    pos = lt + open[0].length;
  }
  if (stack.length !== 1) throw new Error(`<${stack[stack.length - 1]?.name}> never closed`);
  if (root.text.trim() !== '') throw new Error('text outside the root element');
  const [doc] = root.children;
  if (!doc) throw new Error('no root element');
  return doc;
}

const find = (e: XmlElement, name: string): XmlElement[] => [
  ...e.children.filter((c) => c.name === name),
  ...e.children.flatMap((c) => find(c, name)),
];

const TRICKY = `<&"'> ]]> line one\nline two\ttab\r\n\u0000nul \uD800 lone surrogate 💸`;

describe('junitXml', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('writes one suite with a passing test case per check', () => {
    const doc = parseXml(junitXml(sampleResult()));
    const suite = find(doc, 'testsuite');
    expect(suite).toHaveLength(1);
    expect(suite[0]?.attrs).toMatchObject({ name: 'payout-storm', tests: '2', failures: '0', errors: '0' });
    const cases = find(doc, 'testcase');
    expect(cases.map((c) => [c.attrs.name, c.children.length])).toEqual([
      ['money-conserved', 0],
      ['queue-drained', 0],
    ]);
  });

  it('stays well-formed and lossless for tricky strings in names, messages and examples', () => {
    const result = sampleResult({
      scenario: `storm ${TRICKY}`,
      verdict: 'fail',
      sabotage: TRICKY,
      checks: [
        {
          name: `check ${TRICKY}`,
          description: `desc ${TRICKY}`,
          valid: false,
          errorCount: 3,
          first: { body: TRICKY },
          worst: { discrepancy: -30 },
        },
      ],
      faults: [{ kind: 'latency', target: 'bank', startedAt: 1, endedAt: null, note: TRICKY }],
    });
    const doc = parseXml(junitXml(result));
    const [suite] = find(doc, 'testsuite');
    expect(suite?.attrs.name).toBe(
      `storm ${TRICKY}`.replace('\u0000', '\\u0000').replace('\uD800', '\\ud800'),
    );
    expect(suite?.attrs).toMatchObject({ failures: '1', errors: '0' });
    const [failure] = find(doc, 'failure');
    expect(failure?.attrs.message).toContain(
      `3 errors: desc <&"'> ]]> line one\nline two\ttab\r\n\\u0000nul`,
    );
    const detail = JSON.parse(failure?.text ?? '');
    expect(detail).toMatchObject({ errorCount: 3, worst: { discrepancy: -30 } });
    expect(detail.first.body).toContain(`<&"'> ]]> line one\nline two`);
    expect(find(doc, 'system-out')[0]?.text).toContain('never healed');
  });

  it('turns an error verdict into an <error> test case', () => {
    const result = sampleResult({
      verdict: 'error',
      error: 'postgres never came up\n  at start (stack.ts:1)',
    });
    const doc = parseXml(junitXml(result));
    expect(find(doc, 'testsuite')[0]?.attrs).toMatchObject({ tests: '3', errors: '1' });
    const [error] = find(doc, 'error');
    expect(error?.attrs.message).toBe('postgres never came up');
    expect(error?.text).toContain('at start (stack.ts:1)');
  });

  it('fails a fail verdict even when every check passed', () => {
    const doc = parseXml(junitXml(sampleResult({ verdict: 'fail' })));
    expect(find(doc, 'testsuite')[0]?.attrs.failures).toBe('1');
    expect(find(doc, 'failure')).toHaveLength(1);
  });

  it('fails a vacuous verdict with a test case naming the fault that hit nothing', () => {
    const reason = 'kill: hit no live work in 1 window(s) (worker: 0 active jobs)';
    const doc = parseXml(junitXml(sampleResult({ verdict: 'vacuous', vacuous: [reason] })));
    expect(find(doc, 'testsuite')[0]?.attrs.failures).toBe('1');
    expect(find(doc, 'failure')[0]?.attrs.message).toBe(reason);
  });

  it('writes junit.xml into the run directory', () => {
    dir = mkdtempSync(join(tmpdir(), 'faultline-junit-'));
    const path = writeJunit(join(dir, 'nested'), sampleResult());
    expect(path).toBe(join(dir, 'nested', 'junit.xml'));
    expect(() => parseXml(readFileSync(path, 'utf8'))).not.toThrow();
  });
});

describe('escapeXml', () => {
  it('escapes markup in text and quotes and line breaks in attributes', () => {
    expect(escapeXmlText(`a<b>&"c'`)).toBe(`a&lt;b&gt;&amp;"c'`);
    expect(escapeXmlAttr(`a<b>&"c'\n`)).toBe('a&lt;b&gt;&amp;&quot;c&apos;&#10;');
    expect(escapeXmlText('\u0007bell')).toBe('\\u0007bell');
  });
});
