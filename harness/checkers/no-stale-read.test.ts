import { describe, expect, it } from 'vitest';
import { noStaleRead } from './no-stale-read.ts';
import { op } from './test-fixtures.ts';

const update = (userId: string, version: number, at: number, until: number, type: 'ok' | 'info' = 'ok') =>
  op('profile-update', { type, request: { userId }, body: { version }, at, until });
const read = (userId: string, version: number, at: number) =>
  op('profile-read', { request: { userId }, body: { version }, at, until: at + 5 });

describe('noStaleRead', () => {
  it('accepts reads at or above the last acknowledged version, and old versions during the update', () => {
    const r = noStaleRead([
      update('u', 2, 10, 20),
      read('u', 1, 15), // concurrent with the update: either version is fine
      read('u', 2, 21),
      read('u', 3, 30), // a newer version than acknowledged is fine too
      read('v', 1, 40), // nobody updated v
    ]);
    expect(r).toMatchObject({ name: 'no-stale-profile', valid: true, errorCount: 0 });
    expect(r.figures).toEqual({ reads_checked: 3, acknowledged_updates: 1 });
  });

  it('flags a read invoked after an acknowledged update that returns an older version', () => {
    const r = noStaleRead([
      update('u', 2, 0, 10),
      update('u', 3, 20, 30),
      read('u', 2, 31),
      read('u', 1, 32),
      read('u', 3, 33),
    ]);
    expect(r).toMatchObject({ valid: false, errorCount: 2 });
    expect(r.first).toMatchObject({
      userId: 'u',
      readVersion: 2,
      acknowledgedVersion: 3,
      acknowledgedAt: 30,
    });
    expect(r.worst).toMatchObject({ readVersion: 1, acknowledgedVersion: 3 });
  });

  it('sets no floor from an update whose outcome is unknown, and ignores failed reads', () => {
    const r = noStaleRead([
      update('u', 5, 0, 10, 'info'),
      read('u', 1, 20),
      op('profile-read', { type: 'fail', request: { userId: 'u' }, at: 21 }),
    ]);
    expect(r.valid).toBe(true);
  });

  it('keeps the highest acknowledged version even when acknowledgements arrive out of order', () => {
    const r = noStaleRead([update('u', 4, 0, 50), update('u', 3, 10, 60), read('u', 3, 70)]);
    expect(r).toMatchObject({ valid: false, first: { acknowledgedVersion: 4 } });
  });
});
