import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BankControl } from '../fakes/bank/client.ts';
import { directClients } from '../stack/direct-clients.ts';
import { type ServiceHandle, startStack } from '../stack/index.ts';
import { pidOfProfile, readProfile, summarizeProfile } from './cpu-profile.ts';
import { createPendingPayouts, seedUsers } from './fixtures.ts';
import { Pipeline } from './pipeline.ts';
import { CpuMeter } from './probes/cpu.ts';
import { median } from './summary.ts';

/**
 * Levers measured side by side, and where the CPU goes. One stack; each variant (a name and the
 * environment it gives its bank, relay and worker) gets a bank, a relay and a worker of its own, frozen
 * while another variant is measured. Rounds alternate the variants (A B, B A, …) on the same PostgreSQL
 * and Redis, each round draining a backlog of PENDING payouts, and report settled/s and CPU ms per
 * payout of every process, as medians.
 * With --prof, every role runs under `node --cpu-prof` and each variant's profiles are summed over its
 * measurement windows by package and by function (the profiler costs CPU itself: compare rates only
 * between runs alike).
 *
 *   npx tsx bench/profile.ts drain --n 5000 --bank-ms 0 --prof
 *   npx tsx bench/profile.ts drain --variant c50: --variant c25:WORKER_CONCURRENCY=25 --rounds 3
 */

const USAGE = `usage: npx tsx bench/profile.ts drain [--variant NAME:K=V,K=V]... [--rounds N]
       [--n N] [--bank-ms MS] [--prof] [--top N] [--out DIR]`;

/** Payouts each variant drains before the first measured round. */
const WARM_UP = 500;

const nowUs = () => Number(process.hrtime.bigint() / 1000n);

interface Variant {
  name: string;
  env: Record<string, string>;
}

interface VariantRun {
  variant: Variant;
  bank: ServiceHandle;
  relay: ServiceHandle;
  worker: ServiceHandle;
  client: BankControl;
  pipeline: Pipeline;
  windows: Array<{ fromUs: number; toUs: number }>;
  rounds: Array<{
    payouts: number;
    perS: number;
    cpuMsPerPayout: Record<string, number>;
  }>;
}

function parseVariant(spec: string): Variant {
  const colon = spec.indexOf(':');
  const name = colon < 0 ? spec : spec.slice(0, colon);
  const env: Record<string, string> = {};
  for (const kv of (colon < 0 ? '' : spec.slice(colon + 1)).split(',').filter(Boolean)) {
    const i = kv.indexOf('=');
    if (i < 1) throw new Error(`--variant wants NAME:K=V,K=V, not "${spec}"`);
    env[kv.slice(0, i)] = kv.slice(i + 1);
  }
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`variant name "${name}": lower-case letters, digits, -`);
  return { name, env };
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      variant: { type: 'string', multiple: true, default: [] },
      rounds: { type: 'string', default: '1' },
      n: { type: 'string', default: '5000' },
      'bank-ms': { type: 'string', default: '0' },
      prof: { type: 'boolean', default: false },
      top: { type: 'string', default: '15' },
      out: { type: 'string', default: 'runs' },
    },
  });
  const phase = positionals[0];
  if (phase !== 'drain') {
    process.stderr.write(`${USAGE}\n`);
    process.exit(2);
  }
  for (const name of ['rounds', 'n', 'bank-ms', 'top'] as const) {
    const v = values[name];
    if (!/^\d+$/.test(v) || (name !== 'bank-ms' && Number(v) === 0)) {
      process.stderr.write(
        `--${name} wants a whole number${name === 'bank-ms' ? '' : ' above 0'}, not "${v}"\n${USAGE}\n`,
      );
      process.exit(2);
    }
  }
  const variants = (values.variant?.length ? values.variant : ['default']).map(parseVariant);
  const rounds = Number(values.rounds);
  const dir = resolve(values.out, `${new Date().toISOString().replace(/[:.]/g, '-')}-profile-${phase}`);
  const profDir = join(dir, 'cpuprofiles');
  mkdirSync(profDir, { recursive: true });
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const stack = await startStack({
    roles: ['api', 'recon'],
    ...(values.prof ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profDir}`] } : {}),
  });
  const clients = directClients(stack, { poolMax: 4, applicationName: 'bench-profile' });
  const runs: VariantRun[] = [];
  try {
    for (const s of stack.services) if (s.role === 'recon') s.kill('SIGSTOP');
    for (const variant of variants) {
      const bank = await stack.startService('bank', {
        name: `bank-${variant.name}`,
        env: { ...variant.env, BANK_DATA_DIR: join(stack.dir, `bank-${variant.name}`) },
      });
      const env = { ...variant.env, BANK_URL: bank.url };
      const relay = await stack.startService('relay', { name: `relay-${variant.name}`, env });
      const worker = await stack.startService('worker', { name: `worker-${variant.name}`, env });
      const pipeline = new Pipeline([relay, worker], clients.db, clients.queue);
      pipeline.pause();
      const client = new BankControl({ baseUrl: bank.url });
      runs.push({ variant, bank, relay, worker, client, pipeline, windows: [], rounds: [] });
    }
    const [backlog] = await seedUsers(clients.db, {
      prefix: 'profile-backlog',
      count: 1,
      accountsPerUser: 16,
    });
    // Unmeasured: each variant's first payouts pay for JIT compilation and for opening its pools.
    for (const run of runs) {
      await createPendingPayouts(clients.db, backlog as NonNullable<typeof backlog>, WARM_UP);
      await run.pipeline.settle({ timeoutMs: 300_000 });
      run.pipeline.pause();
    }
    for (let r = 0; r < rounds; r++) {
      for (const run of r % 2 === 0 ? runs : [...runs].reverse()) {
        const meter = new CpuMeter({
          api: () => [(stack.api as ServiceHandle).pid],
          postgres: () => [stack.postgres.pid],
          redis: () => [stack.redisQueue.pid, stack.redisCache.pid],
          bank: () => [run.bank.pid],
          relay: () => [run.relay.pid],
          worker: () => [run.worker.pid],
        });
        await run.client.setFaults({ latencyMs: Number(values['bank-ms']) });
        const window = { fromUs: 0, toUs: 0 };
        const payouts = Number(values.n);
        await createPendingPayouts(clients.db, backlog as NonNullable<typeof backlog>, payouts);
        window.fromUs = nowUs();
        meter.start();
        const perS = payouts / ((await run.pipeline.settle({ timeoutMs: 900_000 })) / 1000);
        window.toUs = nowUs();
        const { cpuMs } = meter.stop();
        run.pipeline.pause();
        run.windows.push(window);
        const cpuMsPerPayout: Record<string, number> = {};
        let all = 0;
        for (const [k, v] of Object.entries(cpuMs)) {
          if (k === 'harness') continue;
          cpuMsPerPayout[k] = v / payouts;
          all += v;
        }
        cpuMsPerPayout.all = all / payouts;
        run.rounds.push({ payouts, perS, cpuMsPerPayout });
        say(
          `round ${r + 1} ${run.variant.name.padEnd(12)} ${perS.toFixed(0).padStart(5)} settled/s` +
            `  cpu ms/payout ${fmt(cpuMsPerPayout)}`,
        );
      }
    }
  } finally {
    for (const run of runs) if (run.pipeline.paused) run.pipeline.resume();
    for (const s of stack.services) if (s.role === 'recon') s.kill('SIGCONT');
    await clients.close();
    await stack.stop();
  }
  say(`\nmedians over ${rounds} round(s):`);
  const summary = runs.map((run) => {
    const keys = Object.keys(run.rounds[0]?.cpuMsPerPayout ?? {});
    const cpu = Object.fromEntries(
      keys.map((k) => [k, median(run.rounds.map((x) => x.cpuMsPerPayout[k] ?? 0))]),
    );
    const perS = median(run.rounds.map((x) => x.perS));
    say(
      `  ${run.variant.name.padEnd(12)} ${perS.toFixed(0).padStart(5)} settled/s  cpu ms/payout ${fmt(cpu)}`,
    );
    return { variant: run.variant, perS, cpuMsPerPayout: cpu, rounds: run.rounds };
  });
  const profiles: Record<string, unknown> = {};
  if (values.prof) {
    // The api is shared by every variant: its profile is summed over each variant's own windows.
    const api = stack.api as ServiceHandle;
    const owners = new Map<number, Array<{ run: VariantRun; role: string }>>([
      [api.pid, runs.map((run) => ({ run, role: 'api' }))],
    ]);
    for (const run of runs)
      for (const s of [run.bank, run.relay, run.worker]) owners.set(s.pid, [{ run, role: s.role }]);
    for (const file of readdirSync(profDir)) {
      const id = pidOfProfile(file);
      // Thread 0 is the main thread; tsx's loader runs in a worker thread that does nothing after start-up.
      if (id?.thread !== 0) continue;
      const profile = readProfile(join(profDir, file));
      for (const { run, role } of owners.get(id.pid) ?? []) {
        const payouts = run.rounds.reduce((a, r) => a + r.payouts, 0);
        const parts = run.windows.map((w) => summarizeProfile(profile, { ...w, topN: Number(values.top) }));
        const busyMs = parts.reduce((a, p) => a + p.busyMs, 0);
        const first = parts[0];
        if (!first) continue;
        profiles[`${run.variant.name}/${role}`] = parts;
        say(
          `\n== ${run.variant.name} ${role}: ${busyMs} ms sampled busy, ≈ ${((busyMs / payouts) * 1000).toFixed(0)} µs per payout (first window below)`,
        );
        say(`   by package: ${first.byPackage.map((p) => `${p.name} ${p.ms}`).join(', ')}`);
        for (const f of first.byFunction) say(`   ${String(f.ms).padStart(8)} ms  ${f.name}`);
      }
    }
  }
  writeFileSync(join(dir, 'profile.json'), JSON.stringify({ phase, values, summary, profiles }, null, 2));
  say(`\nfiles in ${dir}`);
}

function fmt(cpu: Record<string, number>): string {
  return Object.entries(cpu)
    .map(([k, v]) => `${k} ${v.toFixed(2)}`)
    .join(', ');
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
