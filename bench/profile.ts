import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runClosed } from '../load/generator.ts';
import { HttpTarget } from '../load/http-target.ts';
import { directClients } from '../scenarios/core/direct-clients.ts';
import { BankClient } from '../service/bank/client.ts';
import { startStack } from '../stack/index.ts';
import { type BenchContext, cpuMeter } from './context.ts';
import { pidOfProfile, readProfile, summarizeProfile } from './cpu-profile.ts';
import { createPendingPayouts, seedUsers } from './fixtures.ts';
import { Pipeline } from './pipeline.ts';
import { countsOf, keyStem, postPayout } from './workloads.ts';

/**
 * Where the pipeline's CPU goes: one stack with every role under `node --cpu-prof`, one measurement
 * (a backlog drain, or HTTP payouts with the whole pipeline running), then each role's profile summed
 * over the measurement's window by package and by function, beside the CPU every process used per
 * payout. The profiler costs a few percent; compare rates only between runs of this script.
 *
 *   npx tsx bench/profile.ts drain --n 5000 --bank-ms 0
 *   npx tsx bench/profile.ts pipeline --duration 8
 *   npx tsx bench/profile.ts drain --no-prof --env QUEUE_BACKEND=postgres   # rates only, A/B a setting
 */

const USAGE = `usage: npx tsx bench/profile.ts drain|pipeline [--n N] [--bank-ms MS] [--duration S]
       [--env NAME=VALUE]... [--no-prof] [--top N] [--out DIR]`;

const nowUs = () => Number(process.hrtime.bigint() / 1000n);

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      n: { type: 'string', default: '5000' },
      'bank-ms': { type: 'string', default: '0' },
      duration: { type: 'string', default: '8' },
      env: { type: 'string', multiple: true, default: [] },
      'no-prof': { type: 'boolean', default: false },
      top: { type: 'string', default: '15' },
      out: { type: 'string', default: 'runs' },
    },
  });
  const phase = positionals[0];
  if (phase !== 'drain' && phase !== 'pipeline') {
    process.stderr.write(`${USAGE}\n`);
    process.exit(2);
  }
  const env = Object.fromEntries(
    (values.env ?? []).map((kv) => {
      const i = kv.indexOf('=');
      if (i < 1) throw new Error(`--env wants NAME=VALUE, not "${kv}"`);
      return [kv.slice(0, i), kv.slice(i + 1)];
    }),
  );
  const dir = resolve(values.out, `${new Date().toISOString().replace(/[:.]/g, '-')}-profile-${phase}`);
  const profDir = join(dir, 'cpuprofiles');
  mkdirSync(profDir, { recursive: true });
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const stack = await startStack({
    env,
    ...(values['no-prof'] ? {} : { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profDir}`] }),
  });
  const roleOf = new Map(stack.services.map((s) => [s.pid, s.role]));
  const clients = directClients(stack, { poolMax: 4, applicationName: 'bench-profile' });
  const api = new HttpTarget((stack.api as { url: string }).url, { maxSockets: 64 });
  const bank = new BankClient({ baseUrl: (stack.bank as { url: string }).url, timeoutMs: 10_000 });
  const pipeline = new Pipeline(
    stack.services.filter((s) => ['relay', 'worker', 'recon'].includes(s.role)),
    clients.db,
    clients.queue,
  );
  const meter = cpuMeter({ stack } as BenchContext);
  const window = { fromUs: 0, toUs: 0 };
  let payouts = 0;
  let seconds = 0;
  try {
    if (phase === 'drain') {
      const n = Number(values.n);
      const [backlog] = await seedUsers(clients.db, {
        prefix: 'profile-backlog',
        count: 1,
        accountsPerUser: 16,
      });
      pipeline.pause();
      await createPendingPayouts(clients.db, backlog as NonNullable<typeof backlog>, n);
      await bank.setFaults({ latencyMs: Number(values['bank-ms']) });
      say(`draining ${n} payouts, bank at ${values['bank-ms']} ms`);
      window.fromUs = nowUs();
      meter.start();
      const ms = await pipeline.settle({ timeoutMs: 600_000 });
      window.toUs = nowUs();
      payouts = n;
      seconds = ms / 1000;
      say(`drained: ${(n / seconds).toFixed(0)} settled/s`);
    } else {
      const payers = await seedUsers(clients.db, { prefix: 'profile-payer', count: 16 });
      const stem = keyStem('profile');
      window.fromUs = nowUs();
      meter.start();
      const t0 = performance.now();
      const r = await runClosed({
        clients: 16,
        durationMs: Number(values.duration) * 1000,
        timeoutMs: 10_000,
        request: (i, signal, c) => {
          const user = payers[c] as (typeof payers)[number];
          return postPayout(api, user, user.accounts[0] as string, `${stem}-${i}`, signal);
        },
      });
      const loadS = (performance.now() - t0) / 1000;
      await pipeline.settle({ timeoutMs: 600_000 });
      window.toUs = nowUs();
      payouts = countsOf(r).ok;
      seconds = (performance.now() - t0) / 1000;
      say(
        `accepted ${(payouts / loadS).toFixed(0)}/s for ${loadS.toFixed(1)} s; all settled after ${seconds.toFixed(1)} s`,
      );
    }
    const { cpuMs } = meter.stop();
    const perPayout = Object.entries(cpuMs)
      .filter(([, v]) => v > 0)
      .map(([k, v]) => `${k} ${(v / payouts).toFixed(2)}`)
      .join(', ');
    const all = Object.entries(cpuMs)
      .filter(([k]) => k !== 'harness')
      .reduce((s, [, v]) => s + v, 0);
    say(`CPU ms per payout: ${perPayout}; all but the harness ${(all / payouts).toFixed(2)}`);
  } finally {
    api.close();
    await clients.close();
    if (pipeline.paused) pipeline.resume();
    await stack.stop();
  }
  if (values['no-prof']) return;
  const report: Record<string, unknown> = {};
  for (const file of readdirSync(profDir)) {
    const { pid, thread } = pidOfProfile(file) ?? { pid: -1, thread: -1 };
    const role = roleOf.get(pid);
    // Thread 0 is the main thread; tsx's loader runs in a worker thread that does nothing after start-up.
    if (!role || role === 'recon' || thread !== 0) continue;
    const s = summarizeProfile(readProfile(join(profDir, file)), { ...window, topN: Number(values.top) });
    report[role] = { pid, ...s };
    say(
      `\n== ${role}: ${s.busyMs} ms busy of ${s.totalMs} ms (${((s.busyMs / payouts) * 1000).toFixed(0)} µs/payout)`,
    );
    say(`   by package: ${s.byPackage.map((p) => `${p.name} ${p.ms}`).join(', ')}`);
    for (const f of s.byFunction) say(`   ${String(f.ms).padStart(8)} ms  ${f.name}`);
  }
  writeFileSync(
    join(dir, 'profile.json'),
    JSON.stringify({ phase, payouts, seconds, window, report }, null, 2),
  );
  say(`\nprofiles and profile.json in ${dir}`);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
