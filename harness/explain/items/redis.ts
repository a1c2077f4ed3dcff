import type { Item } from '../item.ts';

/** The sheet's "Redis & Caching – Cross Questions". */
export const redis: Item[] = [
  {
    id: 'redis-1',
    section: 'Redis & caching',
    number: 1,
    question:
      'You said payments and balances are never cached — what if someone asks for balance 10 times per second? How do you protect the DB?',
    answer:
      'Balances stay uncached and exact. What protects Postgres: a user’s balance reads (GET /v1/accounts/:id and the dashboard, which reads balances too) share one rate limit, RATE_LIMIT_BALANCE = 10 per second per user, a sliding window in the cache Redis that every API process shares; past it a clean 429 rate_limited with Retry-After. Admitted reads of one account running at the same time in one process share one query (coalescing, not caching: each sees a query that started after it arrived). So Postgres sees at most the limit per window whatever the request rate. balance-hammer asks hundreds of times a second through two API processes and counts the Postgres balance queries.',
    measures: [
      {
        kind: 'scenario',
        scenario: 'balance-hammer',
        figures: ['asked_per_s', 'admitted_per_s', 'balance_queries', 'coalesced_reads'],
      },
    ],
  },
  {
    id: 'redis-2',
    section: 'Redis & caching',
    number: 2,
    question: 'How do you handle cache stampede / thundering herd when TTL expires on popular profiles?',
    answer:
      'Two layers. In a process, concurrent misses of one key share one load (a coalescer that only lets a request join a load started after it arrived). Across processes, one loader takes the entry’s Redis lock (cache-claim-2.lua: the value if present, else SET <key>:lock NX PX in the same step), renews it while it loads, and the others poll Redis for the value without touching Postgres. TTLs get up to 10 % random jitter so entries filled together do not expire together. The cache-stampede scenario fires 1,000 reads over three API processes at the moment the hot entry expires, with Postgres slowed down, and counts Postgres loads per expiry.',
    measures: [
      {
        kind: 'scenario',
        scenario: 'cache-stampede',
        figures: ['loads_per_expiry_max', 'reads_per_expiry', 'api_processes', 'lock_waits'],
      },
    ],
  },
  {
    id: 'redis-3',
    section: 'Redis & caching',
    number: 3,
    question:
      'Write-through vs write-back — why did you choose write-through for profile updates? Trade-offs?',
    answer:
      'Postgres is the source of truth and the cache Redis is disposable (allkeys-lru, no persistence), so an update is acknowledged only once it committed in Postgres: write-back would acknowledge writes that an eviction or a Redis restart could lose. A profile update commits together with an invalidation row, purges the entry and its fill lock, then re-reads the committed row and writes it (write-through); a changed email or phone is only purged, so no copy of them is written ahead of a read (and the cache only ever holds them sealed). A load may land only while its loader still holds the fill lock, so a read that started before the update cannot overwrite it. The cost is a Redis round trip or two per update; if the purge fails, the invalidation row is applied later and processes stop trusting the cache meanwhile.',
    measures: [
      {
        kind: 'scenario',
        scenario: 'redis-cut',
        figures: [
          'check:no-stale-profile.reads_checked',
          'check:no-stale-profile.acknowledged_updates',
          'check:no-stale-profile.errors',
        ],
      },
    ],
  },
  {
    id: 'redis-4',
    section: 'Redis & caching',
    number: 4,
    question: 'What happens if Redis goes down? Does the app still work correctly? Read path? Write path?',
    answer:
      'Write path: a payout needs only Postgres — the debit and its outbox row commit together, and the relay publishes to BullMQ once the queue Redis is back — so payouts keep being accepted (201) and are all paid, once, after the outage; /readyz says degraded, not down. Without the cache Redis the fraud velocity windows and the rate limiter fall back to an in-process window per API process. Read path: profile and dashboard reads go to Postgres (a bypass, concurrent reads of one key coalesced), balances were never cached, and a profile update answers within CACHE_TRUST_LEASE_MS (3 s). redis-cut cuts both Redis links for 6–9 s under payouts offered at a constant 25/s, reads and updates; redis-crash SIGKILLs the queue Redis and restarts it from its AOF (recon re-sends the jobs of its last second).',
    measures: [
      {
        kind: 'scenario',
        scenario: 'redis-cut',
        figures: [
          'payouts_during_outage',
          'errors_during_outage',
          'accepted_during_fault_ratio',
          'drain_after_heal_ms',
          'check:reads-answered-during-outage.answered',
        ],
      },
      {
        kind: 'scenario',
        scenario: 'redis-crash',
        figures: ['payouts_during_outage', 'drain_after_heal_ms'],
      },
    ],
  },
  {
    id: 'redis-5',
    section: 'Redis & caching',
    number: 5,
    question: 'How do you monitor Redis memory usage and eviction? Did you ever hit OOM in tests?',
    answer:
      'The Redis exporter feeds the "Cache and Redis" and "Postgres and Redis" dashboards (memory against maxmemory, evictions, keyspace hits), and QueueRedisEvicting fires if the queue Redis ever evicts. The two servers have opposite policies on purpose: the cache evicts (allkeys-lru) and keeps serving; the queue never evicts (noeviction, AOF) and refuses writes with OOM instead, which the relay survives by rolling its batch back — the payouts stay in the outbox. Yes, on purpose: redis-oom fills the cache Redis to three times a lowered limit, then holds the queue Redis at its limit for 6 s, under payouts and profile traffic.',
    measures: [
      {
        kind: 'scenario',
        scenario: 'redis-oom',
        figures: [
          'cache_evicted',
          'cache_hits_while_full',
          'queue_oom_refusals',
          'relay_refusals',
          'payouts_while_queue_full',
        ],
      },
    ],
  },
  {
    id: 'redis-6',
    section: 'Redis & caching',
    number: 6,
    question:
      'Rate limiting with Redis sliding window — how exactly did you implement the counter? Lua script? Multi-key?',
    answer:
      'One Lua script on one key (service/ratelimit/sliding-window-1.lua): a sorted set per user and route class whose scores are admission times on the Redis server’s clock. In one atomic step it drops admissions older than the window (ZREMRANGEBYSCORE), counts (ZCARD), and admits (ZADD + PEXPIRE) only under the limit, answering the remaining count and when to retry. Single-key, so it works on a cluster slot; server time, so API processes never disagree. The fraud velocity check is a second script of the same kind (velocity-3.lua: three keys sharing one hash tag, {user:currency}). The non-atomic-limiter sabotage (count and admit in two round trips) is caught by rate-limit-held.',
    measures: [
      {
        kind: 'scenario',
        scenario: 'balance-hammer',
        figures: ['peak_admitted_in_window', 'limit', 'window_ms', 'admitted_per_s'],
      },
    ],
  },
];
