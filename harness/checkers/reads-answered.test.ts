import { describe, expect, it } from 'vitest';
import { readsAnswered } from './reads-answered.ts';
import { op } from './test-fixtures.ts';

const opts = {
  name: 'reads-answered-during-cut',
  description: 'reads answered',
  reads: ['profile-read', 'read'],
  window: { from: 100, to: 200 },
  accepted: [429],
};

describe('readsAnswered', () => {
  it('counts reads in the window answered 200 or an accepted status', () => {
    const r = readsAnswered(
      [
        op('profile-read', { at: 50, type: 'info' }), // before the window: not judged
        op('profile-read', { at: 120 }),
        {
          ...op('read', { at: 150, type: 'fail' }),
          response: { status: 429, body: { code: 'rate_limited' } },
        },
        op('payout', { at: 160, type: 'info' }),
      ],
      opts,
    );
    expect(r).toMatchObject({ valid: true, errorCount: 0, figures: { asked: 2, answered: 2 } });
  });

  it('flags a timeout or a 5xx inside the window', () => {
    const r = readsAnswered(
      [
        op('profile-read', { at: 120, type: 'info' }),
        { ...op('read', { at: 130 }), response: { status: 503 } },
      ],
      opts,
    );
    expect(r).toMatchObject({ valid: false, errorCount: 2, first: { f: 'profile-read', status: null } });
    expect(r.last).toMatchObject({ f: 'read', status: 503 });
  });

  it('fails when no read was asked in the window', () => {
    expect(readsAnswered([op('profile-read', { at: 10 })], opts)).toMatchObject({
      valid: false,
      errorCount: 1,
    });
  });
});
