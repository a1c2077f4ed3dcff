import { type CommandTable, CommandUsageError } from '../cli/command-table.ts';
import { requirePiiKeys } from '../config-security.ts';
import { newPiiKey, PiiCipher } from './pii-cipher.ts';
import { keyCounts, rotatePii } from './rotation.ts';

/** Default profiles per rotation transaction: short transactions, few round trips. */
const ROTATION_BATCH = 500;

/** Operator commands for the keys that seal personal data (`npm run pii -- …`). */
export const piiCommands: CommandTable = {
  status: {
    usage: '',
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
  rotate: {
    usage: '[--batch N]',
    summary:
      're-seal every email and phone with the first key of PII_KEYS, in batches (keep the old keys configured until it ends)',
    options: { batch: { type: 'string', default: String(ROTATION_BATCH) } },
    async run({ pool, config, out, note }, { values }) {
      const batch = Number(values.batch);
      if (!Number.isInteger(batch) || batch < 1 || batch > 10_000)
        throw new CommandUsageError('--batch must be an integer from 1 to 10000');
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
          ` values not under ${cipher.currentKeyId}: ${left.reduce((s, c) => s + c.n, 0)}`,
      );
      // Rows updated during the run were sealed by their writers; anything else left means run again.
      return left.length === 0 ? 0 : 1;
    },
  },
  'new-key': {
    usage: '<id>',
    summary: 'print a fresh key in PII_KEYS syntax (<id>:<base64>); put it first in PII_KEYS to rotate to it',
    async run({ out }, { positionals }) {
      const [id] = positionals;
      if (!id) throw new CommandUsageError('name the key, e.g. k2');
      try {
        out(newPiiKey(id));
      } catch (err) {
        throw new CommandUsageError((err as Error).message);
      }
      return 0;
    },
  },
};
