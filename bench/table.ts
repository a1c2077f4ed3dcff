import type { BenchResult } from './result.ts';

/** The closing table a bench run prints: every figure and ratio, medians with their min–max. */

function grid(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) =>
        i === 0 || i === cells.length - 1 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

const num = (n: number | undefined) => {
  if (n === undefined) return '–';
  const abs = Math.abs(n);
  if (abs >= 100) return Math.round(n).toLocaleString('en-US');
  return abs >= 10 ? n.toFixed(1) : String(Number(n.toPrecision(3)));
};

function range(r: BenchResult, name: string): string {
  const x = r.ranges[name];
  return x && x[0] !== x[1] ? `${num(x[0])}–${num(x[1])}` : '';
}

export function closingTable(r: BenchResult): string {
  const f = r.figures;
  const out: string[] = [];
  const m = r.machine;
  out.push(
    `faultline bench ${r.runId}: ${r.options.rounds} round(s) × ${r.options.durationS} s on ${m.cpus} × ${m.cpuModel}, ` +
      `${m.memGiB} GiB, node ${m.node}, ${m.postgres}, redis ${m.redis}; load average ${m.loadAvgStart} → ${m.loadAvgEnd}` +
      (m.loadAvgStart > m.cpus ? ' (the machine was busy: quote the ratios, not the rates)' : ''),
  );
  out.push('');
  const measured = r.sections.measurements.map((x) => [
    x.label,
    num(f[`${x.name}_per_s`]),
    range(r, `${x.name}_per_s`),
    num(f[`${x.name}_latency_ms_p99`]),
  ]);
  out.push(...grid(['measurement (medians of the rounds)', 'per s', 'min–max', 'p99 ms'], measured));
  out.push('');
  const ratios = r.sections.ratios.map((x) => [x.name, String(x.median), range(r, x.name), x.what]);
  out.push(...grid(['ratio', 'median', 'min–max', 'what'], ratios));
  out.push('');
  const cost = [
    'pipeline_settled_per_s',
    'cpu_ms_per_settled_payout',
    'cpu_ms_per_payout_api',
    'cpu_ms_per_payout_postgres',
    'cpu_ms_per_payout_worker',
    'cpu_ms_per_payout_relay',
    'cpu_ms_per_payout_bank',
    'fsyncs_per_payout',
    'wal_bytes_per_payout',
    'hot_lock_wait_ms_p99',
    'hot_lock_hold_ms_p99',
  ].map((name) => [name, num(f[name]), range(r, name)]);
  out.push(...grid(['cost and locks', 'median', 'min–max'], cost));
  out.push('');
  const drains = r.sections.drains.map((d) => [
    `drain ${d.n.toLocaleString('en-US')}, bank ${d.bankLatencyMs} ms`,
    num(d.perS),
    num(d.idealPerS),
    String(d.ratio),
    `${d.seconds} s, bank call ${d.bankCallMs} ms`,
  ]);
  out.push(...grid(['backlog drain', 'settled/s', 'ideal/s', 'ratio', ''], drains));
  out.push(
    `  bank capacity (the 0 ms ideal, measured before each 0 ms drain): ${num(r.sections.bank.capacityPerS)} charges/s (median)`,
  );
  out.push('');
  if (r.sections.contention.length > 0) {
    out.push(
      ...grid(
        ['hot accounts', 'payouts/s'],
        r.sections.contention.map((c) => [String(c.accounts), num(c.perS)]),
      ),
    );
    out.push('');
  }
  const sweep = r.sections.worker_concurrency;
  if (sweep) {
    out.push(
      ...grid(
        [
          `worker concurrency (bank ${sweep.bankLatencyMs} ms)`,
          'settled/s',
          'ideal/s',
          'worker cpu %',
          'lag p99 ms',
          'redis ops/s',
        ],
        sweep.points.map((p) => [
          String(p.concurrency),
          num(p.settledPerS),
          num(p.idealPerS),
          String(p.workerCpuPct),
          String(p.eventLoopLagMsP99),
          num(p.redisOpsPerS),
        ]),
      ),
    );
    out.push(`  knee: ${f.worker_concurrency_knee ?? '–'}`);
    out.push('');
  }
  const ramp = r.sections.users_ramp;
  if (ramp) {
    const kneeName = Object.keys(f).find((k) => /^users_.*_knee_per_s$/.test(k));
    out.push(
      `users ramp (${ramp.users.toLocaleString('en-US')} users, seeded in ${ramp.seedSeconds} s): knee ${kneeName ? num(f[kneeName]) : '–'} payouts/s ` +
        `(last stage with p99 ≤ ${ramp.p99LimitMs} ms and errors ≤ ${ramp.errorLimit * 100} %)`,
    );
    out.push('');
  }
  out.push('findings:');
  for (const [k, v] of Object.entries(r.findings)) out.push(`  ${k}: ${v}`);
  return out.join('\n');
}
