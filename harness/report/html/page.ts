/**
 * The shell every HTML page shares: one self-contained file (inline CSS, the charting library and our
 * script inlined, data as JSON in the page), so a report opens from disk, mailed or archived, with no
 * network. uPlot (small, fast, canvas) draws the charts.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const own = (name: string) => readFileSync(new URL(`./client/${name}`, import.meta.url), 'utf8');

let assets: { css: string; js: string } | undefined;

/** uPlot's CSS and JS from node_modules and ours, read once. */
function inlineAssets(): { css: string; js: string } {
  assets ??= {
    css: `${readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8')}\n${own('report.css')}`,
    js: `${readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8')}\n${own('charts.js')}`,
  };
  return assets;
}

/** Escapes text for HTML content and attribute values. */
export function esc(value: unknown): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** JSON safe inside a <script> element: no `</script>` or `<!--` can end it early. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** A verdict as a coloured badge: pass, fail, vacuous (a fault that hit no live work) or error. */
export function verdictBadge(verdict: string): string {
  return `<span class="verdict verdict-${esc(verdict)}">${esc(verdict.toUpperCase())}</span>`;
}

/** A whole page: `data` is what charts.js draws (timelines), if the page has charts. */
export function page(opts: { title: string; body: string; data?: unknown }): string {
  const { css, js } = inlineAssets();
  const data =
    opts.data === undefined
      ? ''
      : `<script id="report-data" type="application/json">${scriptJson(opts.data)}</script>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(opts.title)}</title>
<style>${css}</style>
</head>
<body>
${opts.body}
${data}
<script>${js}</script>
</body>
</html>
`;
}
