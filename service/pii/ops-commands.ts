import { requirePiiKeys } from '../config-security.ts';
import { countOption, type OpsGroup, OpsUsageError } from '../ops/command.ts';
import { newPiiKey, PiiCipher, piiKeyIdProblem } from './pii-cipher.ts';
import { keyCounts, rotatePii } from './rotation.ts';

/** Default profiles per rotation transaction: short transactions, few round trips. */
const ROTATION_BATCH = 500;

/** `pii status|rotate|new-key`: the keys that seal personal data. */
export const piiGroup: OpsGroup = {
  name: 'pii',
  summary: 'the keys that seal email and phone at rest (PII_KEYS)',
  commands: [
    {
      name: 'status',
      args: [],
      decision: false,
      summary: 'how many stored emails and phones each key sealed (plain: from before encryption)',
      async run({ pool, out, config }) {
        const current = requirePiiKeys(config)[0]?.id;
        const counts = await keyCounts(pool);
        for (const c of counts)
          out(
            `${c.field.padEnd(6)} ${(c.keyId ?? '(plain)').padEnd(34)} ${String(c.n).padStart(9)}${c.keyId === current ? '  current' : ''}`,
          );
        if (counts.length === 0) out('no email or phone stored');
        return 0;
      },
    },
    {
      name: 'rotate',
      args: [],
      options: {
        batch: countOption({ default: ROTATION_BATCH, max: 10_000, help: 'profiles per transaction' }),
      },
      decision: false,
      summary:
        're-seal every email and phone with the first key of PII_KEYS, in batches (keep the old keys configured until it ends); exit 1 while values under other keys remain',
      async run({ pool, config, out, note }, { options }) {
        const batch = Number(options.batch);
        const cipher = new PiiCipher(requirePiiKeys(config));
        const started = performance.now();
        const done = await rotatePii(pool, cipher, {
          batch,
          onBatch: (p) =>
            note(
              `pii rotate: ${p.scanned}/${p.total} profiles scanned, ${p.resealed} re-sealed with ${cipher.currentKeyId}` +
                ` (${p.total ? Math.min(100, Math.round((100 * p.scanned) / p.total)) : 100}%)`,
            ),
        });
        const left = (await keyCounts(pool)).filter((c) => c.keyId !== cipher.currentKeyId);
        out(
          `re-sealed ${done.resealed} of ${done.scanned} profiles in ${((performance.now() - started) / 1000).toFixed(1)} s;` +
            ` values not under ${cipher.currentKeyId}: ${left.reduce((s, c) => s + c.n, 0)}` +
            (done.unreadable > 0
              ? `; ${done.unreadable} could not be opened and were left as they are (a key missing from PII_KEYS, or an altered value)`
              : ''),
        );
        // Rows updated during the run were sealed by their writers; anything else left means run again.
        return left.length === 0 ? 0 : 1;
      },
    },
    {
      name: 'new-key',
      args: [{ name: '<id>', parse: keyId }],
      decision: false,
      summary:
        'print a fresh key in PII_KEYS syntax (<id>:<base64>); put it first in PII_KEYS to rotate to it',
      async run({ out }, { args }) {
        out(newPiiKey(args[0] as string));
        return 0;
      },
    },
  ],
};

function keyId(id: string): string {
  const problem = piiKeyIdProblem(id);
  if (problem) throw new OpsUsageError(problem);
  return id;
}
