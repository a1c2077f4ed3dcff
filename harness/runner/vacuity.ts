import type { FaultWindow } from '../core/fault-window.ts';

/**
 * Why a run proved nothing, one line per fault kind: a kind the scenario declares that was never
 * injected, or a kind (declared or not) none of whose windows hit live work by its evidence. Empty when
 * every kind hit something at least once. A window without evidence counts as having hit nothing.
 */
export function vacuity(declared: readonly string[], windows: readonly FaultWindow[]): string[] {
  const kinds = [...new Set([...declared, ...windows.map((w) => w.kind)])];
  const reasons: string[] = [];
  for (const kind of kinds) {
    const of = windows.filter((w) => w.kind === kind);
    if (of.length === 0) {
      reasons.push(`${kind}: never injected (the workload ended before the fault schedule?)`);
      continue;
    }
    if (of.some((w) => (w.evidence?.hits ?? 0) > 0)) continue;
    const shown = of
      .slice(0, 3)
      .map((w) =>
        w.evidence ? `${w.target}: ${w.evidence.hits} ${w.evidence.what}` : `${w.target}: no evidence`,
      );
    const more = of.length > 3 ? `, … ${of.length - 3} more` : '';
    reasons.push(`${kind}: hit no live work in ${of.length} window(s) (${shown.join('; ')}${more})`);
  }
  return reasons;
}
