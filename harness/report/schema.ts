import { z } from 'zod';
import type { OpType } from '../core/history.ts';
import type { ScenarioResult } from './result.ts';

const count = z.number().int().nonnegative();

/** A CheckResult as stored in result.json. */
export const checkResultSchema = z.object({
  name: z.string().min(1),
  description: z.string(),
  valid: z.boolean(),
  errorCount: count,
  first: z.unknown().optional(),
  worst: z.unknown().optional(),
  last: z.unknown().optional(),
  figures: z.record(z.string(), z.number()).optional(),
});

/** A FaultWindow: a heal, when recorded, is not before the injection. */
export const faultWindowSchema = z
  .object({
    kind: z.string().min(1),
    target: z.string(),
    startedAt: z.number().nonnegative(),
    endedAt: z.number().nonnegative().nullable(),
    note: z.string().optional(),
    evidence: z.object({ hits: count, what: z.string() }).optional(),
  })
  .refine((f) => f.endedAt === null || f.endedAt >= f.startedAt, { message: 'endedAt is before startedAt' });

/** The result.json schema, with the invariants between its fields that readers rely on. */
export const scenarioResultSchema = z
  .object({
    schemaVersion: z.literal(1),
    runId: z.string().min(1),
    scenario: z.string().min(1),
    seed: z.number().int(),
    scale: z.enum(['ci', 'full']),
    sabotage: z.string().nullable(),
    // Absent in results written before black-box mode: they all ran natively.
    target: z
      .object({ name: z.string().min(1), mode: z.enum(['native', 'black-box']), file: z.string().optional() })
      .optional(),
    verdict: z.enum(['pass', 'fail', 'vacuous', 'skipped', 'error']),
    startedAt: z.iso.datetime({ offset: true }),
    durationMs: z.number().nonnegative(),
    operations: z.object({ total: count, ok: count, fail: count, info: count }),
    checks: z.array(checkResultSchema),
    figures: z.record(z.string(), z.number()),
    faults: z.array(faultWindowSchema),
    roles: z
      .array(
        z.object({
          member: z.string().min(1),
          role: z.enum(['primary', 'standby', 'down']),
          from: z.number().nonnegative(),
          to: z.number().nonnegative(),
        }),
      )
      .optional(),
    error: z.string().optional(),
    vacuous: z.array(z.string()).optional(),
    skipped: z.array(z.string()).optional(),
    files: z.object({ history: z.string(), junit: z.string(), logs: z.string() }),
  })
  .superRefine((r, ctx) => {
    const { total, ok, fail, info } = r.operations;
    if (ok + fail + info !== total) {
      ctx.addIssue({ code: 'custom', path: ['operations'], message: 'ok + fail + info must equal total' });
    }
    if (r.verdict === 'pass' && r.checks.some((c) => !c.valid)) {
      ctx.addIssue({ code: 'custom', path: ['verdict'], message: 'a passing run has an invalid check' });
    }
    if (r.verdict === 'vacuous' && !r.vacuous?.length) {
      ctx.addIssue({ code: 'custom', path: ['vacuous'], message: 'a vacuous verdict needs its reasons' });
    }
    if (r.verdict === 'skipped' && !r.skipped?.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['skipped'],
        message: 'a skipped verdict names what was missing',
      });
    }
    if (r.verdict === 'error' && !r.error) {
      ctx.addIssue({ code: 'custom', path: ['error'], message: 'an error verdict needs an error message' });
    }
  });

/** Validates a parsed result.json, throwing a zod error that names every bad field. */
export function parseResult(value: unknown): ScenarioResult {
  return scenarioResultSchema.parse(value);
}

const OP_TYPES: ReadonlySet<string> = new Set<OpType>(['invoke', 'ok', 'fail', 'info']);
const isCount = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/**
 * What is wrong with one parsed history line as an Op (empty when nothing). Hand-written rather than zod:
 * histories run to millions of lines, and this only has to look at six fields.
 */
export function historyLineProblems(line: unknown): string[] {
  if (typeof line !== 'object' || line === null || Array.isArray(line)) return ['not an object'];
  const op = line as Record<string, unknown>;
  const problems: string[] = [];
  if (!isCount(op.index)) problems.push('index must be an integer ≥ 0');
  // Any integer: a nemesis may log its own ops under a negative process.
  if (!Number.isInteger(op.process)) problems.push('process must be an integer');
  if (typeof op.type !== 'string' || !OP_TYPES.has(op.type))
    problems.push('type must be invoke, ok, fail or info');
  if (typeof op.f !== 'string' || op.f === '') problems.push('f must be a non-empty string');
  if (typeof op.time !== 'number' || !Number.isFinite(op.time) || op.time < 0) {
    problems.push('time must be a number ≥ 0');
  }
  if (op.error !== undefined && typeof op.error !== 'string')
    problems.push('error must be a string when present');
  return problems;
}
