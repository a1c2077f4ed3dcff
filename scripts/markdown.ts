/**
 * The little of Markdown the docs checks need: links, inline code, and the heading anchors GitHub
 * makes (github-slugger's rules: lower case, punctuation dropped, spaces to hyphens, `-1`, `-2` … for
 * repeats).
 */

/** The text with fenced code blocks blanked out (their lines kept, so nothing else shifts). */
export function withoutFencedCode(markdown: string): string {
  let fenced = false;
  return markdown
    .split('\n')
    .map((line) => {
      if (/^\s*(```|~~~)/.test(line)) {
        fenced = !fenced;
        return '';
      }
      return fenced ? '' : line;
    })
    .join('\n');
}

/** The whitespace-separated words inside fenced code blocks (commands, trees). */
export function fencedCodeWords(markdown: string): string[] {
  let fenced = false;
  const words: string[] = [];
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    else if (fenced) words.push(...line.split(/\s+/).filter(Boolean));
  }
  return words;
}

/** The targets of every inline link and image: `[text](target)`, `![alt](target "title")`. */
export function markdownLinks(markdown: string): string[] {
  const text = markdown.replace(/`[^`\n]*`/g, '');
  return [...text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1] as string);
}

/** The contents of every inline code span. */
export function inlineCodeSpans(markdown: string): string[] {
  return [...markdown.matchAll(/`([^`\n]+)`/g)].map((m) => (m[1] as string).trim());
}

/** The anchor GitHub gives a heading's text (without its leading #s). */
export function slug(heading: string): string {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/[`*]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor a page offers: its headings' slugs (repeats numbered) and explicit `<a id>`/`<a name>`. */
export function headingAnchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const line of withoutFencedCode(markdown).split('\n')) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading !== undefined) {
      const base = slug(heading);
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      anchors.add(n === 0 ? base : `${base}-${n}`);
    }
    for (const m of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(m[1] as string);
  }
  return anchors;
}
