/*
 * Draws a report's timelines with uPlot (inlined before this script). The data is the JSON in
 * #report-data: { start, end, charts: [{ id, title, unit, rightUnit, log, x, series: [{ label, color, values,
 * right }] }], faults: [{ from, to, label }], failovers: [{ from, to, label }] }. Every fault window
 * (red) and every failover without a primary (amber) is shaded and labelled on every chart;
 * the cursor moves on all charts together. Each drawn chart is marked data-drawn and data-points (the
 * values it plotted), which the browser test reads. Also switches the index's tabs (#runs, #questions).
 */
(() => {
  const FAULT_COLORS = { fill: 'rgba(214, 48, 49, 0.13)', edge: 'rgba(214, 48, 49, 0.55)', text: '#9b2c2c' };
  const FAILOVER_COLORS = {
    fill: 'rgba(214, 158, 46, 0.22)',
    edge: 'rgba(183, 121, 31, 0.7)',
    text: '#975a16',
  };

  /** Shades each window behind the series, and labels it along the top (skipping overlaps). */
  function faultBands(
    faults,
    end,
    { fill: FAULT_FILL, edge: FAULT_EDGE, text: FAULT_TEXT } = FAULT_COLORS,
    rowOffset = 0,
  ) {
    const span = (u, f) => {
      const left = u.valToPos(f.from, 'x', true);
      const right = u.valToPos(f.to ?? end, 'x', true);
      return [Math.max(left, u.bbox.left), Math.min(Math.max(right, left + 2), u.bbox.left + u.bbox.width)];
    };
    return {
      hooks: {
        drawClear: [
          (u) => {
            const { ctx, bbox } = u;
            ctx.save();
            for (const f of faults) {
              const [l, r] = span(u, f);
              if (r <= bbox.left || l >= bbox.left + bbox.width) continue;
              ctx.fillStyle = FAULT_FILL;
              ctx.fillRect(l, bbox.top, r - l, bbox.height);
              ctx.fillStyle = FAULT_EDGE;
              ctx.fillRect(l, bbox.top, Math.max(1, devicePixelRatio), bbox.height);
            }
            ctx.restore();
          },
        ],
        draw: [
          (u) => {
            const { ctx, bbox } = u;
            const px = devicePixelRatio;
            ctx.save();
            ctx.font = `${11 * px}px system-ui, sans-serif`;
            ctx.fillStyle = FAULT_TEXT;
            // uPlot leaves its axis text settings on the context: set every one used here.
            ctx.textAlign = 'left';
            ctx.textBaseline = 'top';
            let freeFrom = Number.NEGATIVE_INFINITY;
            let row = 0;
            for (const f of faults) {
              const [l] = span(u, f);
              const width = ctx.measureText(f.label).width;
              if (l < freeFrom) {
                row = (row + 1) % 3;
                if (row === 0) continue;
              } else row = 0;
              ctx.fillText(f.label, l + 3 * px, bbox.top + 3 * px + (row + rowOffset) * 13 * px);
              freeFrom = Math.max(freeFrom, l + width + 8 * px);
            }
            ctx.restore();
          },
        ],
      },
    };
  }

  /** A log axis gridded by powers of ten only: 0.1, 1, 10, 100 ms (uPlot would add 2…9 of each). */
  function decades(_u, _axis, min, max) {
    const out = [];
    for (let p = Math.floor(Math.log10(min)); 10 ** p <= max * 1.0001; p++)
      if (10 ** p >= min * 0.9999) out.push(10 ** p);
    return out;
  }

  function markDrawn(el, chart) {
    let points = 0;
    for (const s of chart.series) for (const v of s.values) if (v !== null) points++;
    return {
      hooks: {
        draw: [
          () => {
            el.dataset.drawn = 'true';
            el.dataset.points = String(points);
          },
        ],
      },
    };
  }

  function draw(el, chart, data) {
    const width = Math.max(320, el.clientWidth);
    const axisStyle = { stroke: '#4a5568', grid: { stroke: '#edf2f7' }, ticks: { stroke: '#cbd5e0' } };
    const axes = [
      { ...axisStyle, label: 'seconds since the run started' },
      { ...axisStyle, label: chart.unit, scale: 'y', size: 60, ...(chart.log ? { splits: decades } : {}) },
    ];
    const scales = { x: { time: false, range: [data.start, data.end] }, y: chart.log ? { distr: 3 } : {} };
    if (chart.rightUnit) {
      axes.push({
        ...axisStyle,
        label: chart.rightUnit,
        scale: 'y2',
        side: 1,
        grid: { show: false },
        size: 60,
      });
      scales.y2 = {};
    }
    const opts = {
      width,
      height: 230,
      scales,
      axes,
      cursor: { sync: { key: 'run' } },
      legend: { live: true },
      series: [
        { label: 's', value: (_u, v) => (v == null ? '–' : `${v} s`) },
        ...chart.series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 1.5,
          scale: s.right ? 'y2' : 'y',
          spanGaps: false,
          // Dots where values are few (a lone value draws no line), lines alone where they are many.
          points: { show: s.values.filter((v) => v !== null).length < 60 },
        })),
      ],
      plugins: [
        faultBands(data.faults, data.end),
        faultBands(data.failovers ?? [], data.end, FAILOVER_COLORS, 3),
        markDrawn(el, chart),
      ],
    };
    return new uPlot(opts, [chart.x, ...chart.series.map((s) => s.values)], el);
  }

  function drawAll() {
    const node = document.getElementById('report-data');
    if (!node) return;
    const data = JSON.parse(node.textContent);
    const plots = [];
    for (const chart of data.charts) {
      const el = document.querySelector(`.chart[data-chart="${chart.id}"]`);
      if (el) plots.push([el, draw(el, chart, data)]);
    }
    let pending;
    window.addEventListener('resize', () => {
      clearTimeout(pending);
      pending = setTimeout(() => {
        for (const [el, plot] of plots) plot.setSize({ width: Math.max(320, el.clientWidth), height: 230 });
      }, 100);
    });
  }

  /** The index's two pages, Runs and Questions, as tabs switched by the URL's hash. */
  function tabs() {
    const pages = document.querySelectorAll('[data-tab]');
    if (pages.length === 0) return;
    const show = () => {
      const wanted = location.hash.slice(1) || pages[0].id;
      const known = [...pages].some((p) => p.id === wanted);
      for (const p of pages) p.hidden = p.id !== (known ? wanted : pages[0].id);
      for (const a of document.querySelectorAll('nav a[href^="#"]')) {
        a.classList.toggle('active', a.getAttribute('href') === `#${known ? wanted : pages[0].id}`);
      }
    };
    window.addEventListener('hashchange', show);
    show();
  }

  drawAll();
  tabs();
})();
