import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Charge } from '../../contract/bank.ts';
import { LEDGER_FILE, Ledger } from './ledger.ts';
import { tempDataDir } from './test-bank.ts';

let dir: string;
let removeDir: () => Promise<void>;

beforeEach(async () => {
  ({ dir, remove: removeDir } = await tempDataDir());
});

afterEach(async () => {
  await removeDir();
});

const draft = (key: string, status: Charge['status'] = 'charged'): Omit<Charge, 'id'> => ({
  key,
  reference: `ref-${key}`,
  amount: 100,
  currency: 'EUR',
  destination: null,
  status,
  createdAt: new Date(0).toISOString(),
});

describe('ledger', () => {
  it('replays every record after a reopen, with ids continuing where they stopped', async () => {
    const ledger = await Ledger.open(dir);
    const a = await ledger.append(draft('a'));
    const b = await ledger.append(draft('b', 'declined'));
    await ledger.close();

    const reopened = await Ledger.open(dir);
    expect(reopened.book.get('a')).toEqual(a);
    expect(reopened.book.get('b')).toEqual(b);
    const c = await reopened.append(draft('c'));
    expect(c.id > b.id).toBe(true);
    expect(reopened.book.stats()).toMatchObject({
      charged: { count: 2, amount: 200 },
      declined: { count: 1 },
    });
    await reopened.close();
  });

  it('groups concurrent appends into fewer write+fsync rounds, all durable', async () => {
    const ledger = await Ledger.open(dir);
    const appended = await Promise.all(Array.from({ length: 100 }, (_, i) => ledger.append(draft(`k${i}`))));
    await ledger.close();

    expect(ledger.flushes).toBeLessThan(100);
    const lines = (await readFile(join(dir, LEDGER_FILE), 'utf8')).trim().split('\n');
    expect(lines.map((l) => JSON.parse(l))).toEqual(appended);
  });

  it('skips a torn last line and appends cleanly after it', async () => {
    const ledger = await Ledger.open(dir);
    const a = await ledger.append(draft('a'));
    await ledger.close();
    await appendFile(join(dir, LEDGER_FILE), '{"id":"ch_000000000002","key":"b","refer');

    const reopened = await Ledger.open(dir);
    expect(reopened.book.size).toBe(1);
    expect(reopened.book.get('b')).toBeUndefined();
    const c = await reopened.append(draft('c'));
    await reopened.close();

    const again = await Ledger.open(dir);
    expect(again.book.page({ limit: 10 })).toEqual([a, c]);
    await again.close();
  });

  it('refuses to open a ledger corrupt before its last line', async () => {
    const ledger = await Ledger.open(dir);
    await ledger.append(draft('a'));
    await ledger.close();
    const path = join(dir, LEDGER_FILE);
    await writeFile(path, `garbage\n${await readFile(path, 'utf8')}`);

    await expect(Ledger.open(dir)).rejects.toThrow(/line 1 is corrupt/);
  });

  it('refuses appends after close', async () => {
    const ledger = await Ledger.open(dir);
    await ledger.close();
    await expect(ledger.append(draft('late'))).rejects.toMatchObject({ code: 'ledger_closed' });
  });
});
