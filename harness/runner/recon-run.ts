import type { ServiceHandle } from '../../stack/index.ts';
import type { Outcome } from '../core/history.ts';
import type { ScenarioContext } from './scenario.ts';

/** What POST /recon/run answers: the run's summary (service/recon/reconcile.ts ReconSummary). */
export type ReconRunSummary = Record<string, number | boolean>;

/** Runs the recon janitor now (POST /recon/run on its ops address), recorded as a `recon-run` op. */
export async function reconRun(
  ctx: ScenarioContext,
): Promise<{ outcome: Outcome; summary: ReconRunSummary }> {
  const recon = ctx.stack.services.find((s): s is ServiceHandle => s.role === 'recon' && s.running);
  if (!recon) throw new Error('this scenario needs the recon role');
  const outcome = await ctx.recorder.run(ctx.recorder.process(), 'recon-run', {}, async () => {
    const res = await fetch(`${recon.opsUrl}/recon/run?timeoutMs=600000`, { method: 'POST' });
    const body = await res.json();
    return { type: res.ok ? 'ok' : 'info', value: { status: res.status, body } };
  });
  const summary = ((outcome.value as { body?: { summary?: ReconRunSummary } } | null)?.body?.summary ??
    {}) as ReconRunSummary;
  return { outcome, summary };
}
