import type { Item } from '../item.ts';

/** The sheet's answers (QnA): what it claims, and what faultline measured of each claim. */
export const answers: Item[] = [
  {
    id: 'answer-1',
    section: 'Answers',
    number: 1,
    question: 'How did you handle Double Transactions?',
    answer:
      'As the sheet says, with a row lock (SELECT … FOR UPDATE) inside one database transaction — one call of the payout() function, so the lock is never held across a network round trip — and two guards the sheet leaves out: an Idempotency-Key per payout (a retry gets the stored answer instead of a second debit; the same key while the first runs is 409; the same key with another body 422) and CHECK (balance >= 0) in the database. double-debit fires 1,000 concurrent payouts at an account that affords 100, plus 100 replays and 20 reused keys: exactly 100 debits take effect and every replay gets its original answer.',
    measures: [
      {
        kind: 'scenario',
        scenario: 'double-debit',
        figures: [
          'check:exact-debits.debited',
          'check:exact-debits.expected_settled',
          'check:replays-match.compared',
          'lock_wait_ms_p99',
        ],
      },
    ],
  },
  {
    id: 'answer-2',
    section: 'Answers',
    number: 2,
    question: 'You have added Redis and BullMQ. How will you handle the Dual Write Problem?',
    answer:
      'Transactional outbox, as the sheet says: the payout’s bank_transfers row commits in the same transaction as the debit, so there is one write, to Postgres. The relay leases unpublished PENDING rows in one short statement (SKIP LOCKED: relays never block each other), adds their jobs to BullMQ with ids derived from the transfer ids (a re-publish is a no-op), then marks them published in another: it holds no lock across the call to Redis, so a relay stopped mid-publish blocks no worker (relay-pause); if Redis refuses, the rows stay unpublished and the relay takes them again. A payout held by the fraud rules stays unpublished until released. redis-cut shows payouts accepted while Redis is unreachable and every one paid once afterwards; the enqueue-direct sabotage (enqueue after commit, no outbox) loses them, and all-terminal catches it.',
    measures: [
      {
        kind: 'scenario',
        scenario: 'redis-cut',
        figures: ['payouts_during_outage', 'settled', 'transfers', 'drain_after_heal_ms'],
      },
    ],
  },
  {
    id: 'answer-3',
    section: 'Answers',
    number: 3,
    question: 'How did you find which APIs to cache?',
    answer:
      'By read-to-write ratio and by what staleness costs: profiles and the dashboard’s layout and history metadata are read far more often than written and may be briefly old, so they are cached (email and phone only sealed); balances, payouts and transfers never are — money must be exact — and balance reads are protected by a rate limit and coalescing instead. cache-stampede shows a hot profile served from the cache with one Postgres load per expiry, across three API processes.',
    measures: [{ kind: 'scenario', scenario: 'cache-stampede', figures: ['hits', 'misses', 'bypasses'] }],
  },
  {
    id: 'answer-4',
    section: 'Answers',
    number: 4,
    question: 'How did you decide TTL (Time-to-Live)?',
    answer:
      'As the sheet says: profile 10 minutes (PROFILE_CACHE_TTL_MS), dashboard 5 minutes (DASHBOARD_CACHE_TTL_MS, its balances always read live), each with up to 10 % random jitter (CACHE_TTL_JITTER) so entries filled together do not expire together. Freshness does not depend on the TTL — updates write through or purge — so the TTL only bounds memory and what an expiry costs, which single-flight holds to one Postgres load.',
    measures: [
      { kind: 'scenario', scenario: 'cache-stampede', figures: ['loads_per_expiry_max', 'reads_per_expiry'] },
    ],
  },
  {
    id: 'answer-5',
    section: 'Answers',
    number: 5,
    question: 'How are you handling Cache Invalidation?',
    answer:
      'Write-through for profile updates and a purge only when sensitive fields (email, phone) change, as the sheet says; the dashboard entry is purged when the display name, layout, email or phone change. A purge deletes the entry and its fill lock, so a load that read Postgres before the update cannot land after it. A purge that cannot reach Redis leaves an invalidation row committed with the update, applied by any API process’s sync pass once Redis is back; meanwhile processes stop serving from the cache, and the update answers within CACHE_TRUST_LEASE_MS. redis-cut checks that no read returns a profile older than an update acknowledged before it, across the cut.',
    measures: [
      {
        kind: 'scenario',
        scenario: 'redis-cut',
        figures: ['check:no-stale-profile.reads_checked', 'check:no-stale-profile.errors'],
      },
    ],
  },
  {
    id: 'answer-6',
    section: 'Answers',
    number: 6,
    question: 'How did you optimize worker throughput?',
    answer:
      'As the sheet says, WORKER_CONCURRENCY is 50 because the job is I/O-bound (waiting on the bank and Postgres), so one process keeps many jobs in flight on one core, and more worker processes can share the queue. What the sheet claims — "drains a 2,000+ backlog in seconds" — the bench measures: backlogs of 10,000 and 2,000 PENDING payouts drained at bank latencies of 0, 25 and 100 ms, each against its ideal (concurrency ÷ the bank call the worker saw, or the bank’s own capacity at 0 ms), and the concurrency sweep that shows where more jobs in flight stop helping.',
    measures: [
      {
        kind: 'bench',
        section: 'drain',
        figures: [
          'drain_2000_bank_25ms_per_s',
          'drain_2000_bank_25ms_ratio',
          'drain_10000_bank_0ms_per_s',
          'drain_10000_bank_100ms_ratio',
          'worker_concurrency_knee',
        ],
      },
    ],
  },
  {
    id: 'answer-7',
    section: 'Answers',
    number: 7,
    question: 'What is the "Recon Job" (Reconciliation Janitor)?',
    answer:
      'A BullMQ job scheduler runs it every 30 minutes (RECON_INTERVAL_MS, the sheet’s */30 cron), or on POST /recon/run. It claims transfers stuck in PENDING or PROCESSING for longer than RECON_STUCK_AFTER_MS (10 min), asks the bank by key first (charged → SETTLED without resending; declined or voided → FAILED and refunded), otherwise re-enqueues them within the queue bound, and after RECON_MAX_ATTEMPTS marks them MANUAL_REVIEW (alert TransfersNeedManualReview), where an operator settles or refunds each once with `npm run ops -- review`. It holds no row lock while it asks the bank, and never pushes the queue past RECON_QUEUE_BOUND. It also purges expired idempotency keys.',
    measures: [
      {
        kind: 'scenario',
        scenario: 'recon-flood',
        figures: ['resolve_all_ms', 'settled_by_lookup', 'requeued', 'peak_waiting'],
      },
    ],
  },
];
