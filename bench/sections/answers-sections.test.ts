import { describe, expect, it } from 'vitest';
import { summarizePlan } from './indexes.ts';
import { seriesIn } from './observability-cost.ts';
import { occurrences } from './pii.ts';

describe('the bench sections that answer design questions', () => {
  it('reads rows, heap fetches, buffers and scans from an EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) plan', () => {
    // The shape PostgreSQL 15 prints for `SELECT sum(amount) … WHERE account_id = $1` (trimmed).
    const plan = [
      {
        Plan: {
          'Node Type': 'Aggregate',
          'Actual Rows': 1,
          'Actual Loops': 1,
          'Shared Hit Blocks': 40,
          'Shared Read Blocks': 2,
          Plans: [
            {
              'Node Type': 'Index Only Scan',
              'Index Name': 'ledger_entries_account_id_id_idx',
              'Relation Name': 'ledger_entries',
              'Actual Rows': 5000,
              'Actual Loops': 1,
              'Heap Fetches': 12,
              'Shared Hit Blocks': 40,
              'Shared Read Blocks': 2,
            },
          ],
        },
        'Planning Time': 0.1,
        'Execution Time': 1.23456,
      },
    ];
    expect(summarizePlan(plan)).toEqual({
      rowsRead: 5000,
      heapFetches: 12,
      buffers: 42,
      executionMs: 1.235,
      scans: ['Index Only Scan using ledger_entries_account_id_id_idx'],
    });
    // A filter's discarded rows are read too, in every loop; a scan without an index names its table.
    const seq = summarizePlan({
      Plan: {
        'Node Type': 'Seq Scan',
        'Relation Name': 'bank_transfers',
        'Actual Rows': 3,
        'Actual Loops': 2,
        'Rows Removed by Filter': 97,
      },
      'Execution Time': 5,
    });
    expect(seq).toMatchObject({ rowsRead: 200, heapFetches: 0, scans: ['Seq Scan on bank_transfers'] });
  });

  it('counts the sample lines of an exposition text, not its comments', () => {
    const text = [
      '# HELP http_requests_total Requests.',
      '# TYPE http_requests_total counter',
      'http_requests_total{route="/v1/payouts",status="201"} 7',
      'http_requests_total{route="/v1/payouts",status="422"} 1',
      '',
      'process_cpu_seconds_total 1.5',
      '',
    ].join('\n');
    expect(seriesIn(text)).toBe(3);
  });

  it('counts every occurrence of every needle', () => {
    expect(occurrences('a pii-x-1 b pii-x-2 c 4930123', ['pii-x-', '4930123'])).toBe(3);
    expect(occurrences('nothing here', ['pii-x-'])).toBe(0);
  });
});
