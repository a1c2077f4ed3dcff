import type { Item } from '../item.ts';

/** The sheet's "DATABASES – Cross Questions". */
export const databases: Item[] = [
  {
    id: 'db-1',
    section: 'Databases',
    number: 1,
    question:
      'What happens if two transactions try to debit the same account at exactly the same time? Walk me through the exact sequence of locks and isolation level you used.',
    answer:
      'The fraud rules run first, in one Redis script, outside any transaction. Then a payout is one call of the SQL function payout_batch() (migrations 0009 and 0011; payout() is its one-payout form) at READ COMMITTED: a transaction-scoped advisory lock on (user, idempotency key) — a second request with the same key gets 409 at once — ownership and currency checked without a lock, SET LOCAL lock_timeout, then SELECT balance … FOR UPDATE. The second debit waits on that row lock until the first commits, then reads the committed balance: enough → debit, outbox row, ledger entry and the key’s stored response in the same transaction; not enough → 422 insufficient_funds, also stored against the key. A wait longer than LOCK_TIMEOUT_MS (2 s) is 503 lock_timeout with nothing changed, and a payout not written within PAYOUT_DEADLINE_MS (5 s) is never written: the function checks its deadline when the lock is granted (postgres-pause). double-debit fires 1,000 payouts at an account that affords 100.',
    measures: [
      {
        kind: 'scenario',
        scenario: 'double-debit',
        figures: [
          'check:exact-debits.debited',
          'lock_wait_ms_p50',
          'lock_wait_ms_p99',
          'lock_wait_max_le_ms',
        ],
      },
      { kind: 'bench', section: 'hot row', figures: ['hot_lock_wait_ms_p99', 'hot_api_db_ratio'] },
    ],
  },
  {
    id: 'db-2',
    section: 'Databases',
    number: 2,
    question:
      'Did you use SERIALIZABLE isolation level anywhere? Why or why not? What are the performance implications?',
    answer:
      'No. Every money function runs at READ COMMITTED and takes the rows it changes with FOR UPDATE, so concurrent debits of one account queue on its row instead of aborting; double-debit shows that this alone debits exactly as often as the funds allow. SERIALIZABLE would add predicate locks and turn conflicting debits into 40001 failures to retry (the service retries 40001 and 40P01 up to TX_RETRIES = 5 times, each a whole transaction): work thrown away exactly on a hot account. The bench’s lock_strategies section measures the alternatives with pgbench on the same PostgreSQL — FOR UPDATE, one conditional UPDATE … WHERE balance >= amount, SERIALIZABLE with 40001 retried, an optimistic version column with a miss retried — on one hot account and on one account per client: rate, p99, retries per 1,000 and aborts, and after every run whether the rows appended still equal the money taken (an unlocked read-modify-write run beside them shows that check failing).',
    measures: [
      {
        kind: 'bench',
        section: 'lock strategies',
        figures: [
          'lock_strategy_for_update_hot_per_s',
          'lock_strategy_conditional_update_hot_per_s',
          'lock_strategy_serializable_hot_per_s',
          'lock_strategy_serializable_retries_per_1000',
          'lock_strategy_optimistic_hot_per_s',
          'lock_strategy_optimistic_retries_per_1000',
          'lock_strategy_for_update_spread_per_s',
          'lock_strategy_serializable_spread_per_s',
          'finding:lock_strategies',
        ],
      },
      {
        kind: 'scenario',
        scenario: 'double-debit',
        figures: ['check:exact-debits.debited', 'lock_wait_ms_p99'],
      },
    ],
  },
  {
    id: 'db-3',
    section: 'Databases',
    number: 3,
    question:
      'What if the SELECT FOR UPDATE deadlocks? How do you detect it? How do you recover? Did you ever see it in stress tests?',
    answer:
      'A payout locks one account row, so it cannot deadlock. An internal transfer locks both accounts in id order (ORDER BY id … FOR UPDATE), so A→B and B→A queue instead of deadlocking; recon refunds one transfer per transaction (the transfer row, then its account), so it never holds two account locks, and holds none while it asks the bank. Should Postgres still detect one (40P01 after deadlock_timeout) or a serialization failure (40001), the whole transaction is retried up to TX_RETRIES (5) times, counted in db_transaction_retries_total, then answered 503 conflict_retry_exhausted — never a 500. The deadlock scenario runs opposite transfers, payouts on the same accounts and a recon run refunding 800 payouts of them at once for 12 s, and checks that Postgres logged no deadlock and none reached a client.',
    measures: [
      {
        kind: 'scenario',
        scenario: 'deadlock',
        figures: [
          'deadlocks_detected',
          'deadlocks_retried',
          'retries_per_1000_ops',
          'latency_ms_p99',
          'transfers',
        ],
      },
    ],
  },
  {
    id: 'db-4',
    section: 'Databases',
    number: 4,
    question:
      "How long does a typical transaction hold the row lock? What's the worst-case lock duration you measured?",
    answer:
      'The money functions measure it inside Postgres with clock_timestamp(): from the moment FOR UPDATE returns to the end of the function, exported as account_lock_hold_seconds, and the wait before it as account_lock_wait_seconds. The hold is the debit, the inserts and the key’s response in one round trip; the commit that releases the lock (its WAL flush) comes after and is not in the hold, though waiters wait through it. Histograms know a maximum only as a bucket bound, so the worst case is reported as ≤ that bound. double-debit measures it under 1,000 concurrent payouts on one account; the bench’s hot-row measurement under 16 clients paying out back to back.',
    measures: [
      {
        kind: 'scenario',
        scenario: 'double-debit',
        figures: [
          'lock_hold_ms_p50',
          'lock_hold_ms_p99',
          'lock_hold_max_le_ms',
          'lock_hold_max_gt_ms',
          'lock_wait_max_le_ms',
        ],
      },
      {
        kind: 'bench',
        section: 'hot row',
        figures: ['hot_lock_hold_ms_p99', 'hot_lock_wait_ms_p99', 'pgbench_cte_ratio'],
      },
    ],
  },
  {
    id: 'db-5',
    section: 'Databases',
    number: 5,
    question:
      'What indexing strategy did you use on the transactions/ledger table? Did you add composite indexes? Covering indexes?',
    answer:
      "The money path only appends to the ledger; it never reads it. ledger_entries has one composite index (account_id, id) INCLUDE (amount, kind): an account's balance audit, sum(amount) WHERE account_id = $1, is an index-only scan, and its newest entries one backward range scan with no sort (no API serves a statement yet). Two unique partial indexes on transfer_id (WHERE kind = 'payout', WHERE kind = 'payout_reversal') make a payout debited once and reversed at most once whatever the races. On bank_transfers, the relay's and recon's work lists are partial indexes (unpublished rows by created_at; PENDING/PROCESSING rows by updated_at) that stay small however many transfers settled, and (account_id, created_at) serves the dashboard's payout history. The bench runs EXPLAIN (ANALYZE, BUFFERS) of each on the data it has written: rows read, heap fetches (before and after a VACUUM), buffers.",
    measures: [
      {
        kind: 'bench',
        section: 'indexes',
        figures: [
          'finding:index_ledger_sum',
          'ledger_sum_rows_read',
          'ledger_entries_rows',
          'ledger_sum_heap_fetches',
          'ledger_sum_heap_fetches_vacuumed',
          'ledger_page_rows_read',
          'outbox_claim_rows_read',
          'recon_claim_rows_read',
          'account_payouts_rows_read',
          'bank_transfers_rows',
        ],
      },
    ],
  },
  {
    id: 'db-6',
    section: 'Databases',
    number: 6,
    question:
      'How do you prevent negative balances without application-level checks? (Pure DB constraint or trigger?)',
    answer:
      'A pure constraint: accounts.balance has CHECK (balance >= 0). The money functions compare the balance under the row lock first, to answer 422 insufficient_funds cleanly and store that answer against the key, but the constraint is the last line of defence: a debit that would go below zero fails with SQLSTATE 23514, which the service maps to insufficient_funds, and its transaction changes nothing. The no-row-lock sabotage (a read without FOR UPDATE and a computed write-back) shows why the lock matters beyond the constraint: it loses debits without ever going negative, and exact-debits, money-conserved and ledger-matches-balance catch it.',
    measures: [
      {
        kind: 'scenario',
        scenario: 'double-debit',
        figures: ['check:no-negative-balance.min_balance_cents', 'check:no-negative-balance.errors'],
      },
    ],
  },
  {
    id: 'db-7',
    section: 'Databases',
    number: 7,
    question:
      'If Postgres crashes mid-transaction, what guarantees do you have? WAL? How did you test crash recovery?',
    answer:
      'A payout is answered 201 only after its transaction committed, and commits are durable: fsync and synchronous_commit stay on, so the commit record is on disk in the WAL before the answer. A transaction in flight at the crash never happened — debit, ledger entry, outbox row and stored key commit together or not at all — and its client saw a timeout or 503 database_unavailable, an unknown it settles by retrying with the same key. postgres-crash SIGKILLs the postmaster and its backends under payouts offered at a constant rate and restarts it (WAL replay): every acknowledged payout must be there afterwards, no retry may make a second one, ledger and balances must agree.',
    measures: [
      {
        kind: 'scenario',
        scenario: 'postgres-crash',
        figures: [
          'api_ready_after_crash_ms',
          'check:acknowledged-durable.acknowledged',
          'check:acknowledged-durable.found',
          'check:no-second-effect.keys_with_second_effect',
          'accepted_during_fault_ratio',
        ],
      },
    ],
  },
];
