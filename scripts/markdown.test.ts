import { describe, expect, it } from 'vitest';
import { headingAnchors, inlineCodeSpans, markdownLinks, slug, withoutFencedCode } from './markdown.ts';

describe('markdown', () => {
  it('makes the anchors GitHub makes: lower case, punctuation dropped, spaces to hyphens', () => {
    expect(slug('DATABASES – Cross Questions Interviewers Will Ask')).toBe(
      'databases--cross-questions-interviewers-will-ask',
    );
    expect(slug('Redis & Caching – Cross Questions')).toBe('redis--caching--cross-questions');
    expect(slug('Where the CPU goes: `bench/profile.ts`')).toBe('where-the-cpu-goes-benchprofilets');
    expect(slug("Idempotency (Stripe's semantics)")).toBe('idempotency-stripes-semantics');
    expect(slug('With the native stack (no Docker)')).toBe('with-the-native-stack-no-docker');
  });

  it('numbers repeated headings and takes explicit anchors', () => {
    const anchors = headingAnchors('# A\n## Notes\n## Notes\n<a id="db-2"></a>\n```\n# not a heading\n```\n');
    expect([...anchors]).toEqual(['a', 'notes', 'notes-1', 'db-2']);
  });

  it('finds links and code outside fenced blocks only', () => {
    const text = withoutFencedCode('see [a](a.md#x) and `b/c.ts`\n```\n[d](d.md) `e/f.ts`\n```\n');
    expect(markdownLinks(text)).toEqual(['a.md#x']);
    expect(inlineCodeSpans(text)).toEqual(['b/c.ts']);
    expect(markdownLinks('![shot](x.png "title") [`code`](y.md)')).toEqual(['x.png', 'y.md']);
  });
});
