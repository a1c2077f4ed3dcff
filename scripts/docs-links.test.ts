import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  fencedCodeWords,
  headingAnchors,
  inlineCodeSpans,
  markdownLinks,
  withoutFencedCode,
} from './markdown.ts';

/**
 * The docs as a front door and rooms behind it hold only if every door opens: each relative link of
 * README.md and docs/**\/*.md reaches a file (and its `#anchor` a heading GitHub would make), and each
 * repository path a page writes in backticks exists in the tree.
 */
const root = join(import.meta.dirname, '..');

function markdownFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return markdownFiles(path);
    return e.name.endsWith('.md') ? [path] : [];
  });
}

const pages = ['README.md', ...markdownFiles('docs')];
const tracked = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' }).trim().split('\n');
/** First path segments of the tree: a backticked token starting with one of these is a repository path. */
const topLevel = new Set(tracked.map((f) => f.split('/')[0] as string));
const read = (page: string) => readFileSync(join(root, page), 'utf8');
/** Where runs and stacks write: named in the docs, never in the tree. */
const UNTRACKED = new Set(['runs', '.faultline', 'node_modules']);
const FILE_EXTENSIONS = /\.(ts|mjs|js|json|jsonl|md|sql|lua|yml|yaml|alloy|png|svg|html|css)$/;

/**
 * A word that names a path into the tree: `harness/cli.ts`, `observability/grafana/`. It starts with a
 * folder of the tree, or it ends in a source file's extension (so a folder that moved away is caught);
 * a MIME type or a rate (`application/json`, `10/1000`) is neither.
 */
function isRepositoryPath(word: string): boolean {
  if (!/^\.?[\w-]+(\/[\w.@*-]+)+\/?$/.test(word)) return false;
  const first = word.split('/')[0] as string;
  if (UNTRACKED.has(first)) return false;
  return topLevel.has(first) || FILE_EXTENSIONS.test(word);
}

/** `bench/pgbench/lock-*.sql` exists when its folder does. */
const withoutGlob = (path: string) => path.replace(/\/[^/]*\*.*$/, '');

describe('docs links', () => {
  it('checks README.md and the pages under docs/', () => {
    expect(pages).toContain('docs/configuration.md');
    expect(pages.length).toBeGreaterThan(5);
  });

  it.each(pages)('%s: every relative link reaches a file, and its #anchor a heading there', (page) => {
    const broken: string[] = [];
    for (const link of markdownLinks(withoutFencedCode(read(page)))) {
      if (/^[a-z][a-z+.-]*:/i.test(link)) continue; // https:, mailto:
      const [path = '', anchor] = link.split('#', 2);
      const target = path === '' ? page : normalize(join(dirname(page), decodeURI(path)));
      if (!existsSync(join(root, target))) {
        broken.push(`${link}: no file ${target}`);
        continue;
      }
      if (anchor === undefined) continue;
      if (!target.endsWith('.md') || statSync(join(root, target)).isDirectory()) {
        broken.push(`${link}: an anchor into a file that is not a markdown page`);
        continue;
      }
      if (!headingAnchors(read(target)).has(anchor))
        broken.push(`${link}: no heading #${anchor} in ${target}`);
    }
    expect(broken).toEqual([]);
  });

  it.each(pages)('%s: every repository path in backticks or a code block exists', (page) => {
    const missing = [...inlineCodeSpans(withoutFencedCode(read(page))), ...fencedCodeWords(read(page))]
      .map((word) => word.replace(/[,;:.)]+$/, ''))
      .filter(isRepositoryPath)
      .filter((path) => !existsSync(join(root, withoutGlob(path))));
    expect(missing).toEqual([]);
  });

  it('the README repository map names every folder of the tree, and each path it names exists', () => {
    const readme = read('README.md');
    const start = readme.indexOf('\n## Repository map');
    expect(start).toBeGreaterThan(0);
    const block = /```\n([\s\S]*?)```/.exec(readme.slice(start))?.[1] ?? '';
    const named = block
      .split('\n')
      .map((line) => line.trim().split(/\s+/)[0] as string)
      .filter(Boolean);
    const folders = new Set(
      tracked.flatMap((f) => {
        const parts = f.split('/');
        if (parts.length === 1) return [];
        return parts.length === 2 ? [`${parts[0]}/`] : [`${parts[0]}/`, `${parts[0]}/${parts[1]}/`];
      }),
    );
    expect(
      [...folders].filter((f) => !named.includes(f)),
      'folders to add to the Repository map in README.md',
    ).toEqual([]);
    expect(named.filter((p) => !existsSync(join(root, withoutGlob(p))))).toEqual([]);
  });
});
