import { loadConfig } from '../../service/config.ts';
import { sql } from '../../service/db/sql.ts';
import type { BenchContext } from '../context.ts';
import type { Section } from '../section.ts';

/**
 * Whether the ledger's and the outbox's indexes do their work (design sheet, db-5), on the data
 * the bench has just written: EXPLAIN (ANALYZE, BUFFERS) of the queries the indexes were made for, with
 * an account of one of the spread payers as the account (a few percent of the ledger; the hot account's
 * own rows are most of it, where a sequential scan is the right plan). The relay's and recon's claims are
 * the service's own SQL files, run in a transaction that is rolled back. Tables are analyzed first so
 * the planner sees the data; the heap fetches of the ledger's index-only scans are reported as found
 * (rows on pages a vacuum has not yet marked all-visible) and again after a VACUUM of the ledger.
 */

const DEFAULTS = loadConfig({});

interface IndexQuery {
  name: string;
  what: string;
  sql: string;
  params: (p: { account: string; transferId: string }) => unknown[];
  /** Locks or writes: run inside a transaction that is rolled back. */
  rollback?: boolean;
}

export const INDEX_QUERIES: readonly IndexQuery[] = [
  {
    name: 'ledger_sum',
    what: "an account's balance audit (sum of its ledger entries)",
    sql: 'SELECT sum(amount) FROM ledger_entries WHERE account_id = $1',
    params: (p) => [p.account],
  },
  {
    name: 'ledger_page',
    what: "an account's newest 50 ledger entries",
    sql: 'SELECT id, amount, kind FROM ledger_entries WHERE account_id = $1 ORDER BY id DESC LIMIT 50',
    params: (p) => [p.account],
  },
  {
    name: 'payout_entry',
    what: "a payout's debit entry, by its transfer",
    sql: "SELECT amount FROM ledger_entries WHERE transfer_id = $1 AND kind = 'payout'",
    params: (p) => [p.transferId],
  },
  {
    name: 'account_payouts',
    what: "an account's payout count and latest payout (the dashboard's history)",
    sql: 'SELECT count(*), max(created_at) FROM bank_transfers WHERE account_id = $1',
    params: (p) => [p.account],
  },
  {
    name: 'outbox_claim',
    what: "the relay's claim of unpublished rows (outbox-claim.sql)",
    sql: sql('outbox-claim'),
    params: () => [DEFAULTS.RELAY_BATCH],
    rollback: true,
  },
  {
    name: 'recon_claim',
    what: "recon's claim of stuck transfers (recon-claim-stuck.sql)",
    sql: sql('recon-claim-stuck'),
    params: () => [DEFAULTS.RECON_STUCK_AFTER_MS, DEFAULTS.RECON_BATCH],
    rollback: true,
  },
];

/** The figures each query reports, after its name. */
export const INDEX_FIGURE_SUFFIXES = ['rows_read', 'heap_fetches', 'buffers', 'ms'] as const;

/** One plan node of EXPLAIN (FORMAT JSON), the fields read here. */
interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  'Heap Fetches'?: number;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  Plans?: PlanNode[];
}

export interface PlanSummary {
  /** Rows the scan nodes produced or threw away (by filter or recheck), over all loops. */
  rowsRead: number;
  /** Heap visits of index-only scans (rows on pages not yet all-visible). */
  heapFetches: number;
  /** Shared buffers hit or read by the whole statement. */
  buffers: number;
  executionMs: number;
  /** "Index Only Scan using ledger_entries_account_id_id_idx", one per scan node. */
  scans: string[];
}

/** What one EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) result says about reading. */
export function summarizePlan(explained: unknown): PlanSummary {
  const top = (Array.isArray(explained) ? explained[0] : explained) as {
    Plan: PlanNode;
    'Execution Time': number;
  };
  const out: PlanSummary = { rowsRead: 0, heapFetches: 0, buffers: 0, executionMs: 0, scans: [] };
  const visit = (n: PlanNode) => {
    if (n['Node Type'].endsWith('Scan')) {
      const loops = n['Actual Loops'] ?? 1;
      const removed = (n['Rows Removed by Filter'] ?? 0) + (n['Rows Removed by Index Recheck'] ?? 0);
      out.rowsRead += ((n['Actual Rows'] ?? 0) + removed) * loops;
      out.heapFetches += n['Heap Fetches'] ?? 0;
      const on = n['Index Name']
        ? ` using ${n['Index Name']}`
        : n['Relation Name']
          ? ` on ${n['Relation Name']}`
          : '';
      out.scans.push(`${n['Node Type']}${on}`);
    }
    for (const child of n.Plans ?? []) visit(child);
  };
  visit(top.Plan);
  out.buffers = (top.Plan['Shared Hit Blocks'] ?? 0) + (top.Plan['Shared Read Blocks'] ?? 0);
  out.executionMs = Math.round(top['Execution Time'] * 1000) / 1000;
  return out;
}

async function explain(ctx: BenchContext, q: IndexQuery, params: unknown[]): Promise<PlanSummary> {
  const client = await ctx.db.connect();
  try {
    if (q.rollback) await client.query('BEGIN');
    const { rows } = await client.query<{ 'QUERY PLAN': unknown }>(
      `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${q.sql}`,
      params,
    );
    return summarizePlan(rows[0]?.['QUERY PLAN']);
  } finally {
    if (q.rollback) await client.query('ROLLBACK').catch(() => {});
    client.release();
  }
}

async function count(ctx: BenchContext, table: 'ledger_entries' | 'bank_transfers'): Promise<number> {
  const { rows } = await ctx.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  return rows[0]?.n ?? 0;
}

const int = (n: number) => n.toLocaleString('en-US');

export const indexesSection: Section = {
  name: 'indexes',
  title: 'Index use: EXPLAIN (ANALYZE, BUFFERS) of the ledger and outbox queries on the bench data',
  estimateS: (o) => (o.quick ? 8 : 15),
  async once(ctx) {
    const account = ctx.fixtures.payers[ctx.opts.clients - 1]?.accounts[0];
    if (!account) throw new Error('no spread payer fixture');
    const { rows } = await ctx.db.query<{ id: string }>(
      'SELECT id FROM bank_transfers WHERE account_id = $1 ORDER BY created_at DESC LIMIT 1',
      [account],
    );
    const transferId = rows[0]?.id;
    if (!transferId) throw new Error('the spread payer has no payouts to look up');
    await ctx.db.query('ANALYZE ledger_entries, bank_transfers');
    const tables = {
      ledger_entries: await count(ctx, 'ledger_entries'),
      bank_transfers: await count(ctx, 'bank_transfers'),
    };
    const figures: Record<string, number> = {
      ledger_entries_rows: tables.ledger_entries,
      bank_transfers_rows: tables.bank_transfers,
    };
    const findings: Record<string, string> = {};
    const detail: Array<{ name: string; what: string } & PlanSummary> = [];
    for (const q of INDEX_QUERIES) {
      const s = await explain(ctx, q, q.params({ account, transferId }));
      figures[`${q.name}_rows_read`] = s.rowsRead;
      figures[`${q.name}_heap_fetches`] = s.heapFetches;
      figures[`${q.name}_buffers`] = s.buffers;
      figures[`${q.name}_ms`] = s.executionMs;
      const table = q.sql.includes('ledger_entries') ? 'ledger_entries' : 'bank_transfers';
      findings[`index_${q.name}`] =
        `${s.scans.join(' + ') || 'no scan'}: ${int(s.rowsRead)} rows read of ${int(tables[table])}, ` +
        `${int(s.heapFetches)} heap fetches, ${int(s.buffers)} buffers, ${s.executionMs} ms (${q.what})`;
      detail.push({ name: q.name, what: q.what, ...s });
      ctx.say(`  ${q.name.padEnd(16)} ${findings[`index_${q.name}`]}`);
    }
    // What the ledger's index-only scans read once autovacuum has caught up: no heap visits.
    await ctx.db.query('VACUUM (ANALYZE) ledger_entries');
    const vacuumed: Record<string, PlanSummary> = {};
    for (const q of INDEX_QUERIES.filter((x) => x.name.startsWith('ledger_'))) {
      const s = await explain(ctx, q, q.params({ account, transferId }));
      vacuumed[q.name] = s;
      figures[`${q.name}_heap_fetches_vacuumed`] = s.heapFetches;
      ctx.say(`  ${q.name} after VACUUM: ${int(s.heapFetches)} heap fetches, ${int(s.buffers)} buffers`);
    }
    return { figures, findings, detail: { tables, queries: detail, vacuumed } };
  },
};
