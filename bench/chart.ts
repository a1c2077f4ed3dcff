/**
 * The run's chart as hand-written SVG (no browser, no library): the contention curve, the worker
 * concurrency sweep, and every ratio per round with its median, so the spread of the rounds shows.
 */

export interface ChartInput {
  title: string;
  contention: Array<{ accounts: number; perS: number }>;
  sweep: Array<{ concurrency: number; settledPerS: number; idealPerS: number }>;
  ratios: Array<{ name: string; perRound: number[]; median: number }>;
}

const W = 900;
const LEFT = 220;
const RIGHT = 40;
const PLOT_W = W - LEFT - RIGHT;
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));

function text(x: number, y: number, s: string, attrs = ''): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attrs}>${esc(s)}</text>`;
}

/** A line chart over a log₂ x axis; returns its SVG and height. */
function logLineChart(opts: {
  top: number;
  title: string;
  xLabel: string;
  yLabel: string;
  series: Array<{ name: string; color: string; dashed?: boolean; points: Array<[number, number]> }>;
}): { svg: string; height: number } {
  const h = 220;
  const plotTop = opts.top + 30;
  const plotH = h - 70;
  const all = opts.series.flatMap((s) => s.points);
  const out: string[] = [text(LEFT, opts.top + 16, opts.title, 'class="title"')];
  if (all.length === 0) {
    out.push(text(LEFT, plotTop + 40, 'not measured'));
    return { svg: out.join('\n'), height: h };
  }
  const xs = all.map(([x]) => Math.log2(x));
  const [x0, x1] = [Math.min(...xs), Math.max(...xs, Math.min(...xs) + 1)];
  const yMax = Math.max(...all.map(([, y]) => y)) * 1.1 || 1;
  const px = (x: number) => LEFT + ((Math.log2(x) - x0) / (x1 - x0)) * PLOT_W;
  const py = (y: number) => plotTop + plotH - (y / yMax) * plotH;
  out.push(
    `<line x1="${LEFT}" y1="${plotTop + plotH}" x2="${LEFT + PLOT_W}" y2="${plotTop + plotH}" class="axis"/>`,
  );
  out.push(`<line x1="${LEFT}" y1="${plotTop}" x2="${LEFT}" y2="${plotTop + plotH}" class="axis"/>`);
  for (const f of [0, 0.5, 1]) {
    const y = yMax * f;
    out.push(text(LEFT - 8, py(y) + 4, fmt(y), 'text-anchor="end" class="tick"'));
  }
  for (const x of [...new Set(all.map(([x]) => x))]) {
    out.push(text(px(x), plotTop + plotH + 16, String(x), 'text-anchor="middle" class="tick"'));
  }
  out.push(text(LEFT + PLOT_W / 2, plotTop + plotH + 34, opts.xLabel, 'text-anchor="middle" class="tick"'));
  out.push(text(LEFT - 60, plotTop - 8, opts.yLabel, 'class="tick"'));
  for (const [i, s] of opts.series.entries()) {
    const pts = [...s.points].sort((a, b) => a[0] - b[0]);
    const d = pts.map(([x, y], j) => `${j ? 'L' : 'M'}${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ');
    out.push(
      `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5,4"' : ''}/>`,
    );
    for (const [x, y] of pts) {
      out.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3.5" fill="${s.color}"/>`);
      if (!s.dashed) out.push(text(px(x) + 5, py(y) - 6, fmt(y), 'class="tick"'));
    }
    out.push(text(LEFT + 10, plotTop + 4 + i * 14, s.name, `fill="${s.color}" class="tick"`));
  }
  return { svg: out.join('\n'), height: h };
}

/** One row per ratio on a log scale (ratios multiply): a dot per round, a bar at the median, a line at 1. */
function ratioDots(top: number, ratios: ChartInput['ratios']): { svg: string; height: number } {
  const rowH = 22;
  const h = 60 + ratios.length * rowH;
  const out: string[] = [
    text(LEFT, top + 16, 'Ratios per round (dots) and their median (bar), log scale', 'class="title"'),
  ];
  const values = ratios.flatMap((r) => r.perRound).filter((v) => v > 0);
  const lo = Math.min(0.05, ...values.map((v) => v / 1.5));
  const hi = Math.max(2, ...values.map((v) => v * 1.5));
  const px = (v: number) =>
    LEFT + ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * PLOT_W;
  const y0 = top + 34;
  const bottom = y0 + ratios.length * rowH;
  for (const t of [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100].filter(
    (t) => t >= lo && t <= hi,
  )) {
    out.push(
      `<line x1="${px(t).toFixed(1)}" y1="${y0 - 6}" x2="${px(t).toFixed(1)}" y2="${bottom}" class="${t === 1 ? 'one' : 'grid'}"/>`,
    );
    out.push(text(px(t), bottom + 14, String(t), 'text-anchor="middle" class="tick"'));
  }
  for (const [i, r] of ratios.entries()) {
    const y = y0 + i * rowH + rowH / 2;
    out.push(text(LEFT - 8, y + 4, r.name, 'text-anchor="end" class="tick"'));
    out.push(
      `<line x1="${px(r.median).toFixed(1)}" y1="${y - 8}" x2="${px(r.median).toFixed(1)}" y2="${y + 8}" class="median"/>`,
    );
    for (const v of r.perRound) out.push(`<circle cx="${px(v).toFixed(1)}" cy="${y}" r="4" class="dot"/>`);
    out.push(text(LEFT + PLOT_W + 4, y + 4, fmt(r.median), 'class="tick"'));
  }
  return { svg: out.join('\n'), height: h };
}

export function renderChart(input: ChartInput): string {
  const parts: string[] = [];
  let top = 40;
  const contention = logLineChart({
    top,
    title: 'Contention curve: payouts/s of the API+DB path over k hot accounts',
    xLabel: 'hot accounts (16 clients)',
    yLabel: 'payouts/s',
    series: [
      { name: 'payouts/s', color: '#1f77b4', points: input.contention.map((p) => [p.accounts, p.perS]) },
    ],
  });
  parts.push(contention.svg);
  top += contention.height;
  const sweep = logLineChart({
    top,
    title: 'Worker concurrency: settled/s with the bank at 50 ms',
    xLabel: 'WORKER_CONCURRENCY',
    yLabel: 'settled/s',
    series: [
      { name: 'settled/s', color: '#2ca02c', points: input.sweep.map((p) => [p.concurrency, p.settledPerS]) },
      {
        name: 'ideal (concurrency ÷ bank call)',
        color: '#999999',
        dashed: true,
        points: input.sweep.map((p) => [p.concurrency, p.idealPerS]),
      },
    ],
  });
  parts.push(sweep.svg);
  top += sweep.height;
  const dots = ratioDots(top, input.ratios);
  parts.push(dots.svg);
  top += dots.height;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${top + 10}" viewBox="0 0 ${W} ${top + 10}" font-family="sans-serif">`,
    '<style>.title{font-size:14px;font-weight:bold}.tick{font-size:11px}.axis{stroke:#333}.grid{stroke:#eee}' +
      '.one{stroke:#c00;stroke-dasharray:3,3}.median{stroke:#000;stroke-width:3}.dot{fill:#ff7f0e;fill-opacity:0.8}</style>',
    '<rect width="100%" height="100%" fill="white"/>',
    text(20, 24, input.title, 'class="title"'),
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
