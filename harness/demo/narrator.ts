/**
 * A demo's live narration: takes the runner's progress snapshots (the same ones the progress line shows)
 * and tells them as a story — each fault as it is injected and healed, and every few seconds the live
 * numbers: operations by outcome, queue depth, money in flight, row-lock wait.
 */
import { quantile } from '../client/metrics-scrape.ts';
import type { Sample } from '../core/sample.ts';
import { formatFigureValue } from '../report/figure-format.ts';
import { formatClock, formatCount } from '../report/format.ts';
import type { ProgressSink, ProgressSnapshot } from '../report/terminal.ts';
import { sampledHistogram } from '../runner/sampler.ts';
import type { Demo } from './demos.ts';

/** Lock wait p99 (ms) between two samples, or null when no lock was waited for in between. */
function lockWaitP99(prev: Sample | null, cur: Sample | null | undefined): number | null {
  const a = prev?.lockWait;
  const b = cur?.lockWait;
  if (!a || !b || b.count <= a.count) return null;
  const before = new Map(a.buckets);
  const delta = sampledHistogram({
    buckets: b.buckets.map(([le, c]) => [le, c - (before.get(le) ?? 0)]),
    count: b.count - a.count,
    sum: b.sum - a.sum,
  });
  return quantile(delta, 0.99) * 1000;
}

/** The live numbers of one snapshot, in one line. */
export function numbersLine(p: ProgressSnapshot, phase: string, lockP99: number | null): string {
  const parts = [
    `${formatClock(p.elapsedMs)}  ${phase.padEnd(8)}`,
    `accepted ${formatCount(p.ok)}  refused ${formatCount(p.fail)}  unknown ${formatCount(p.info)}`,
    `${formatCount(p.opsPerSec)} ops/s`,
  ];
  const s = p.sample;
  if (s?.queue)
    parts.push(`queue ${formatCount(s.queue.waiting)} waiting, ${formatCount(s.queue.active)} active`);
  if (s?.inFlight) {
    parts.push(
      `in flight ${formatCount(s.inFlight.transfers)} transfer${s.inFlight.transfers === 1 ? '' : 's'} (${formatFigureValue(s.inFlight.amountCents, 'cents')})`,
    );
  }
  if (lockP99 !== null) parts.push(`lock wait p99 ${formatFigureValue(lockP99, 'ms')}`);
  return `  ${parts.join('  ·  ')}`;
}

export class Narrator implements ProgressSink {
  #loadSeen = false;
  #faultSeen = false;
  #lastFault: string | null = null;
  #lastPrinted = Number.NEGATIVE_INFINITY;
  #prevSample: Sample | null = null;

  constructor(
    private readonly demo: Demo,
    private readonly write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
    private readonly everyMs = 2_000,
  ) {}

  #phase(p: ProgressSnapshot): string {
    if (p.activeFault) return 'FAULT';
    if (this.demo.loadIsTheFault) return 'load';
    return this.#faultSeen ? 'recovery' : 'steady';
  }

  update(p: ProgressSnapshot): void {
    const ops = p.ok + p.fail + p.info;
    if (!this.#loadSeen && (ops > 0 || p.activeFault)) {
      this.#loadSeen = true;
      this.write(`▶ stack up, load running`);
      if (this.demo.loadIsTheFault) this.write(`  ${this.demo.fault}`);
    }
    if (p.activeFault !== this.#lastFault) {
      if (p.activeFault) {
        if (!this.#faultSeen) this.write(`  ${this.demo.fault}`);
        this.#faultSeen = true;
        this.write(`⚡ fault: ${p.activeFault}`);
      } else if (this.#lastFault) this.write(`✓ healed: ${this.#lastFault}`);
      this.#lastFault = p.activeFault;
    }
    if (!this.#loadSeen) return;
    if (p.elapsedMs - this.#lastPrinted < this.everyMs) return;
    this.#lastPrinted = p.elapsedMs;
    this.write(numbersLine(p, this.#phase(p), lockWaitP99(this.#prevSample, p.sample)));
    if (p.sample) this.#prevSample = p.sample;
  }

  done(last?: ProgressSnapshot): void {
    if (last) this.write(numbersLine(last, 'done', lockWaitP99(this.#prevSample, last.sample)));
    this.write(`  ${this.demo.recovery}`);
  }
}
