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
      'A payout is one SQL function call at READ COMMITTED (payout() in 0005_money_functions.sql): it takes a transaction-scoped advisory lock on (user, idempotency key) — a second request with that key gets 409 at once — checks ownership and currency without locking, sets lock_timeout, then SELECT balance … FOR UPDATE. The second debit waits on that row lock until the first commits, then reads the committed balance: enough money → debit, ledger entry, outbox row and stored key response in the same transaction; not enough → 422 insufficient_funds. A wait longer than LOCK_TIMEOUT_MS (2 s) gives 503 lock_timeout with nothing changed.',
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
    ],
  },
  {
    id: 'db-2',
    section: 'Databases',
    number: 2,
    question:
      'Did you use SERIALIZABLE isolation level anywhere? Why or why not? What are the performance implications?',
    answer:
      'No. Every money operation is READ COMMITTED with an explicit row lock (FOR UPDATE), so concurrent debits of one account queue on its row instead of aborting; the double-debit scenario shows that this alone debits exactly as often as the funds allow. SERIALIZABLE would add predicate locks and make conflicting debits fail with 40001, to be retried by the client or the function (the service retries 40001/40P01 up to TX_RETRIES times): more work wasted on a hot account. The lock-strategy bench compares FOR UPDATE with a conditional UPDATE, SERIALIZABLE and optimistic versions on a hot and a spread workload.',
    measures: [
      {
        kind: 'bench',
        section: 'lock strategies',
        figures: [
          'lock_strategy_for_update_hot_per_s',
          'lock_strategy_serializable_hot_per_s',
          'lock_strategy_serializable_retries_per_1000',
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
      'A payout locks one row, so it cannot deadlock. An internal transfer locks both accounts in id order (ORDER BY id … FOR UPDATE), so A→B and B→A wait on each other rather than deadlock. Should Postgres still detect one (40P01 after deadlock_timeout) or a serialization failure (40001), the whole transaction is retried up to TX_RETRIES (5) times, counted in db_transaction_retries_total, and only then answered 503 conflict_retry_exhausted — never a 500. The deadlock scenario provokes them on purpose and counts the retries.',
    measures: [
      {
        kind: 'scenario',
        scenario: 'deadlock',
        figures: ['deadlocks_retried', 'retries_per_1000_ops', 'latency_ms_p99'],
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
      'The payout function measures it inside Postgres with clock_timestamp(): from the moment FOR UPDATE returns to the end of the function (the commit’s WAL flush excluded), exported as account_lock_hold_seconds, with the wait before it as account_lock_wait_seconds. The hold is the debit, two inserts and the key response in one round trip; the wait is what the queue on a hot row costs. Histograms only know the maximum as a bucket bound, so the worst case is reported as ≤ that bound.',
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
      { kind: 'bench', section: 'hot row', figures: ['hot_lock_hold_ms_p99', 'hot_lock_wait_ms_p99'] },
    ],
  },
  {
    id: 'db-5',
    section: 'Databases',
    number: 5,
    question:
      'What indexing strategy did you use on the transactions/ledger table? Did you add composite indexes? Covering indexes?',
    answer:
      "ledger_entries has one composite index (account_id, id) INCLUDE (amount, kind): an account statement is one backward range scan with no sort, and the balance audit sum(amount) WHERE account_id = $1 is an index-only scan. Two unique partial indexes on transfer_id (WHERE kind = 'payout' and WHERE kind = 'payout_reversal') make a payout debited once and reversed at most once whatever the races. On bank_transfers, the relay’s and recon’s work lists are partial indexes (unpublished rows by created_at; PENDING/PROCESSING rows by updated_at) that stay tiny however many transfers settled, and (account_id, created_at) serves an account’s payout history.",
    measures: [],
    unmeasured:
      'No run measures index use yet: the strategy is written next to the indexes in service/db/migrations/0002_ledger_entries.sql and 0003_bank_transfers.sql. A bench section timing a statement and the balance audit with EXPLAIN (ANALYZE, BUFFERS) at a million ledger rows would.',
  },
  {
    id: 'db-6',
    section: 'Databases',
    number: 6,
    question:
      'How do you prevent negative balances without application-level checks? (Pure DB constraint or trigger?)',
    answer:
      'A pure constraint: accounts.balance has CHECK (balance >= 0) (balance_non_negative). The payout function checks the balance under the row lock first, to answer 422 insufficient_funds cleanly, but the constraint is the last line of defence: a debit that would go below zero fails with SQLSTATE 23514, which the service maps to insufficient_funds. The no-row-lock sabotage (a read without FOR UPDATE and a computed write-back) loses debits, which exact-debits, money-conserved and ledger-matches-balance catch.',
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
      'A payout is answered 201 only after its transaction committed, and commits are durable: fsync and synchronous_commit stay on, so the commit record is in the WAL on disk before the answer. A transaction in progress at the crash never happened (no partial debit: debit, ledger entry, outbox row and key commit together). The postgres-crash scenario SIGKILLs the postmaster and its backends under steady payouts and restarts it (WAL replay); clients retry unknown outcomes with their keys; every acknowledged payout must be there afterwards, with no second effect.',
    measures: [
      {
        kind: 'scenario',
        scenario: 'postgres-crash',
        figures: [
          'api_ready_after_crash_ms',
          'check:acknowledged-durable.acknowledged',
          'check:acknowledged-durable.found',
          'check:no-second-effect.keys_with_second_effect',
        ],
      },
    ],
  },
];
