import { readFileSync } from 'node:fs';

/**
 * Reads a V8 `.cpuprofile` (what `node --cpu-prof` writes) and says where the time went: self time by
 * function and by package (a node_modules package, node's internals, our own code, GC), counted only
 * over the samples inside a window, so start-up is left out. Sample times are V8's monotonic clock in
 * µs, the clock `process.hrtime` reads on Linux, so a window taken in another process lines up.
 */

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Self time in ms, largest first. */
export interface ProfileSummary {
  /** Sampled ms inside the window, idle included. */
  totalMs: number;
  /** Sampled ms the thread was not idle. */
  busyMs: number;
  byPackage: Array<{ name: string; ms: number }>;
  byFunction: Array<{ name: string; ms: number }>;
}

/** `node_modules/<pkg>` (scoped too), `node:<module>`, our own top folder, or V8's own entries. */
export function packageOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) return `(${functionName.replace(/[()]/g, '') || 'native'})`;
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1] as string;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[1] ?? url.slice(5)}`;
  const own = /\/(service|bench|load|scenarios|stack)\/([^/]+)/.exec(url);
  if (own) return `${own[1]}/${own[2]}`;
  return url;
}

/** Far above the sampling interval (1 ms by default): only a frozen or starved process gets such a gap. */
const MAX_SAMPLE_US = 20_000;

const top = (m: Map<string, number>, n: number) =>
  [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, us]) => ({ name, ms: Math.round(us / 100) / 10 }));

/** Summarizes a profile over [fromUs, toUs] (monotonic µs; the whole profile when left out). */
export function summarizeProfile(
  profile: CpuProfile,
  { fromUs = 0, toUs = Number.POSITIVE_INFINITY, topN = 25 } = {},
): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const pkg = new Map<string, number>();
  const fn = new Map<string, number>();
  let total = 0;
  let busy = 0;
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    // A process frozen with SIGSTOP (the bench pauses the pipeline) takes one sample on waking whose
    // delta spans the whole pause: it counts as one interval, not as time spent where it stopped.
    const dt = Math.min(profile.timeDeltas[i] ?? 0, MAX_SAMPLE_US);
    if (t < fromUs || t > toUs) continue;
    const frame = byId.get(profile.samples[i] as number);
    if (!frame) continue;
    total += dt;
    if (frame.functionName === '(idle)') continue;
    busy += dt;
    const p = packageOf(frame);
    pkg.set(p, (pkg.get(p) ?? 0) + dt);
    const where = frame.url ? `${p}:${frame.lineNumber + 1}` : p;
    const name = `${frame.functionName || '(anonymous)'} ${where}`;
    fn.set(name, (fn.get(name) ?? 0) + dt);
  }
  return {
    totalMs: Math.round(total / 1000),
    busyMs: Math.round(busy / 1000),
    byPackage: top(pkg, topN),
    byFunction: top(fn, topN),
  };
}

export function readProfile(path: string): CpuProfile {
  return JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
}

/** The pid and thread in the default name `CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile`. */
export function pidOfProfile(file: string): { pid: number; thread: number } | undefined {
  const m = /^CPU\.\d+\.\d+\.(\d+)\.(\d+)\./.exec(file);
  return m ? { pid: Number(m[1]), thread: Number(m[2]) } : undefined;
}
