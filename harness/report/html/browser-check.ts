/**
 * Opens a generated page in real headless Chromium (Debian's `chromium`, driven by playwright-core; never
 * a browser playwright downloads) and reports what a reader would see: each chart, whether it drew, how
 * many values it plotted and how many of its pixels carry a series colour, and every console error.
 */
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

/** Debian's package; scripts/bootstrap.mjs installs it (apt-get install chromium). */
export const CHROMIUM = process.env.FAULTLINE_CHROMIUM ?? '/usr/bin/chromium';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--no-first-run',
];

export interface ChartSeen {
  id: string;
  drawn: boolean;
  points: number;
  /** Pixels whose colour is one of the chart's series colours. */
  seriesPixels: number;
  /** Pixels of the fault-window shading. */
  faultPixels: number;
}

export interface PageSeen {
  title: string;
  charts: ChartSeen[];
  /** Console errors and uncaught exceptions, and any request that left the file (none may). */
  errors: string[];
  /** Text of the boxes shown instead of an empty chart. */
  emptyCharts: string[];
}

export const chromiumInstalled = () => existsSync(CHROMIUM);

/**
 * Runs in the page. A string, not a function: the TypeScript loaders (tsx, vitest) would wrap named
 * functions in helpers that do not exist inside the browser.
 */
const INSPECT = `(() => {
  const data = JSON.parse(document.getElementById('report-data')?.textContent ?? '{"charts":[]}');
  const rgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  const charts = [...document.querySelectorAll('.chart')].map((el) => {
    const id = el.dataset.chart ?? '';
    const colors = ((data.charts.find((c) => c.id === id) ?? {}).series ?? []).map((s) => rgb(s.color));
    // The fault shading (charts.js FAULT_FILL): its colour, translucent (the canvas itself is transparent).
    const fault = [214, 48, 49];
    const near = (px, i, [r, g, b], d) => Math.abs(px[i] - r) + Math.abs(px[i + 1] - g) + Math.abs(px[i + 2] - b) < d;
    let seriesPixels = 0;
    let faultPixels = 0;
    for (const canvas of el.querySelectorAll('canvas')) {
      const ctx = canvas.getContext('2d');
      if (!ctx || canvas.width === 0) continue;
      const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      for (let i = 0; i < px.length; i += 4) {
        if (colors.some((c) => near(px, i, c, 24))) seriesPixels++;
        else if (near(px, i, fault, 12) && px[i + 3] < 80) faultPixels++;
      }
    }
    return { id, drawn: el.dataset.drawn === 'true', points: Number(el.dataset.points ?? 0), seriesPixels, faultPixels };
  });
  const emptyCharts = [...document.querySelectorAll('.chart-empty')].map((e) => e.textContent ?? '');
  return { title: document.title, charts, emptyCharts };
})()`;

/** Loads `file` (optionally at `#hash`), waits for the charts, and screenshots it (whole page by default). */
export async function inspectPage(
  file: string,
  opts: { hash?: string; screenshot?: string; width?: number; height?: number; fullPage?: boolean } = {},
): Promise<PageSeen> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
  try {
    const page = await browser.newPage({
      viewport: { width: opts.width ?? 1280, height: opts.height ?? 900 },
    });
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
    page.on('request', (r) => {
      if (!r.url().startsWith('file:') && !r.url().startsWith('data:'))
        errors.push(`network request: ${r.url()}`);
    });
    await page.goto(`${pathToFileURL(file).href}${opts.hash ? `#${opts.hash}` : ''}`);
    await page.waitForLoadState('load');
    // Charts draw synchronously after load; give a slow machine a moment for layout.
    await page
      .waitForFunction(
        `[...document.querySelectorAll('.chart')].every((el) => el.dataset.drawn === 'true')`,
        undefined,
        { timeout: 15_000 },
      )
      .catch(() => {}); // the inspection below then reports which chart did not draw
    const seen = (await page.evaluate(INSPECT)) as Omit<PageSeen, 'errors'>;
    if (opts.screenshot) await page.screenshot({ path: opts.screenshot, fullPage: opts.fullPage ?? true });
    return { ...seen, errors };
  } finally {
    await browser.close();
  }
}
