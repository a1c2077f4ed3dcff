import { type FileHandle, mkdir, open, readFile, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { type Charge, chargeSchema } from '../../contract/bank.ts';
import { ChargeBook } from './charge-book.ts';
import { LedgerClosed } from './errors.ts';
import { ledgerBatchRecords, ledgerFlushDuration } from './metrics.ts';

export const LEDGER_FILE = 'ledger.jsonl';

interface Pending {
  charge: Charge;
  resolve: (charge: Charge) => void;
  reject: (err: unknown) => void;
}

/**
 * The bank's durable ledger: an append-only JSONL file, one charge per line, each line fsync'ed
 * before append() resolves. Concurrent appends share one write and one fsync (group commit).
 * Reads go to `book`, which only ever holds records that are already on disk.
 */
export class Ledger {
  readonly book = new ChargeBook();
  /** Group commits done since open; tests read it to see that appends were batched. */
  flushes = 0;
  private pending: Pending[] = [];
  private flushing: Promise<void> | null = null;
  private failure: unknown = null;
  private closed = false;

  private constructor(
    private readonly file: FileHandle,
    private lastSeq: number,
  ) {}

  /** Opens (creating it if needed) the ledger in `dir` and replays it; a torn last line is cut off. */
  static async open(dir: string): Promise<Ledger> {
    await mkdir(dir, { recursive: true });
    const path = join(dir, LEDGER_FILE);
    const { charges, validBytes, totalBytes } = parseLedger(await readOrEmpty(path), path);
    // Appending after a torn fragment would glue the next record onto it and lose both.
    if (validBytes < totalBytes) await truncate(path, validBytes);
    const file = await open(path, 'a');
    await syncDirectory(dir);
    const ledger = new Ledger(file, 0);
    for (const charge of charges) {
      ledger.book.add(charge);
      ledger.lastSeq = Math.max(ledger.lastSeq, seqOf(charge.id));
    }
    return ledger;
  }

  /** Gives the record the next id, makes it durable, then visible in `book`; resolves after fsync. */
  append(draft: Omit<Charge, 'id'>): Promise<Charge> {
    if (this.closed) return Promise.reject(new LedgerClosed());
    if (this.failure) return Promise.reject(this.failure);
    this.lastSeq += 1;
    const charge: Charge = { id: formatId(this.lastSeq), ...draft };
    return new Promise((resolve, reject) => {
      this.pending.push({ charge, resolve, reject });
      this.flushing ??= this.flushLoop();
    });
  }

  /** Waits for every accepted append to be durable, then closes the file; later appends fail. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.flushing;
    await this.file.close();
  }

  private async flushLoop(): Promise<void> {
    // Everything appended while one write+fsync is in flight goes out together in the next one.
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      const stopTimer = ledgerFlushDuration.startTimer();
      try {
        await this.file.appendFile(batch.map((p) => `${JSON.stringify(p.charge)}\n`).join(''));
        // datasync: the data and the file size reach the disk; timestamps need not.
        await this.file.datasync();
      } catch (err) {
        // After a failed write the file may hold part of the batch: refuse everything from now on.
        this.failure = err;
        for (const p of [...batch, ...this.pending]) p.reject(err);
        this.pending = [];
        break;
      } finally {
        stopTimer();
      }
      this.flushes += 1;
      ledgerBatchRecords.observe(batch.length);
      for (const p of batch) {
        try {
          this.book.add(p.charge);
          p.resolve(p.charge);
        } catch (err) {
          // A broken invariant (two records for one key) fails that append, never the whole loop.
          p.reject(err);
        }
      }
    }
    this.flushing = null;
  }
}

/**
 * Parses the ledger file. Only the last line may be bad (a write torn by a crash: it was never
 * acknowledged, since acknowledgement waits for the fsync); a bad line before it is corruption.
 */
export function parseLedger(
  data: Buffer,
  source: string,
): { charges: Charge[]; validBytes: number; totalBytes: number } {
  const charges: Charge[] = [];
  let offset = 0;
  let line = 0;
  while (offset < data.length) {
    line += 1;
    const newline = data.indexOf(0x0a, offset);
    const isLast = newline === -1 || newline === data.length - 1;
    const charge = newline === -1 ? null : parseRecord(data.subarray(offset, newline));
    if (!charge) {
      if (isLast) break;
      throw new Error(`${source}: line ${line} is corrupt; refusing to open the ledger`);
    }
    charges.push(charge);
    offset = newline + 1;
  }
  return { charges, validBytes: offset, totalBytes: data.length };
}

function parseRecord(bytes: Buffer): Charge | null {
  try {
    const parsed = chargeSchema.safeParse(JSON.parse(bytes.toString('utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Fixed width, so that string order is id order (pagination compares ids as strings). */
function formatId(seq: number): string {
  return `ch_${seq.toString().padStart(12, '0')}`;
}

function seqOf(id: string): number {
  const seq = Number(id.slice(3));
  if (!Number.isSafeInteger(seq)) throw new Error(`ledger holds a malformed id ${id}`);
  return seq;
}

async function readOrEmpty(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return Buffer.alloc(0);
    throw err;
  }
}

/** A new file survives a crash only once its directory entry is on disk too. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch (err) {
    // Some platforms and file systems cannot fsync a directory; the file's own fsyncs still hold.
    if ((err as NodeJS.ErrnoException).code !== 'EISDIR' && (err as NodeJS.ErrnoException).code !== 'EINVAL')
      throw err;
  } finally {
    await handle.close();
  }
}
