import type { Outcome } from '../core/history.ts';
import type { ScenarioContext } from './scenario.ts';

/** What a reconciliation run answers: its summary (the reference's counts, docs/contract.md#reconciliation). */
export type ReconRunSummary = Record<string, number | boolean>;

/** Runs the target's reconciliation now (its description's `recon`), recorded as a `recon-run` op. */
export async function reconRun(
  ctx: ScenarioContext,
  request: Record<string, unknown> = {},
): Promise<{ outcome: Outcome; summary: ReconRunSummary }> {
  const outcome = await ctx.recorder.run(ctx.recorder.process(), 'recon-run', request, async () => {
    const { ok, status, body } = await ctx.target.recon();
    return { type: ok ? 'ok' : 'info', value: { status, body } };
  });
  const summary = ((outcome.value as { body?: { summary?: ReconRunSummary } } | null)?.body?.summary ??
    {}) as ReconRunSummary;
  return { outcome, summary };
}
