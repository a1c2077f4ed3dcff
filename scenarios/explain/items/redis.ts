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
      'Balances stay uncached and exact; what protects Postgres is that a user’s balance reads are rate-limited (RATE_LIMIT_BALANCE, 10 per second per user by default, a sliding window in the cache Redis shared by every API process) and that concurrent reads of one balance in a process share one query (coalescing). Anything past the limit gets a clean 429 rate_limited with Retry-After, so Postgres sees at most the limit per window whatever the request rate. The balance-hammer scenario asks hundreds of times a second through two API processes and counts the Postgres balance queries.',
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
      'Postgres is the source of truth and the cache Redis is disposable (allkeys-lru, no persistence), so a write is acknowledged only once it committed in Postgres: write-back would acknowledge writes that an eviction or a Redis restart could lose. A profile update commits, purges the entry and its fill lock, then re-reads the committed row and writes it (write-through); a load may only land while its loader still holds the lock, so a read that started before the update can never overwrite it. The cost is one extra Redis round trip per update. If the purge fails, an invalidation row committed with the update is applied later and processes stop trusting the cache meanwhile.',
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
      'Write path: a payout needs only Postgres — the debit and its outbox row commit together and the relay publishes to BullMQ once the queue Redis is back, so payouts keep being accepted (201) and are all paid, once, after the outage; /readyz says degraded, not down. Read path: without the cache Redis, profile and dashboard reads go to Postgres (a bypass), the rate limiter falls back to an in-process window, and a profile update waits at most CACHE_TRUST_LEASE_MS before answering. The redis-cut scenario cuts both Redis links for 6–9 s under payouts, reads and updates.',
    measures: [
      {
        kind: 'scenario',
        scenario: 'redis-cut',
        figures: [
          'payouts_during_outage',
          'errors_during_outage',
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
      'The Redis exporter feeds the "Cache and Redis" and "Postgres and Redis" dashboards (memory against maxmemory, evictions, keyspace hits), and the QueueRedisEvicting alert fires if the queue Redis ever evicts. The two servers have opposite policies on purpose: the cache evicts (allkeys-lru), the queue never does (noeviction, AOF) and refuses writes instead. Yes, on purpose: redis-oom fills the cache Redis to three times a lowered limit, then holds the queue Redis at its limit, under payouts and profile traffic.',
    measures: [
      {
        kind: 'scenario',
        scenario: 'redis-oom',
        figures: ['cache_evicted', 'cache_hits_while_full', 'queue_oom_refusals', 'payouts_while_queue_full'],
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
      'One Lua script on one key (service/ratelimit/sliding-window-1.lua): a sorted set per user and route class whose scores are admission times on the Redis server’s clock. In one atomic step it drops admissions older than the window (ZREMRANGEBYSCORE), counts (ZCARD), and admits (ZADD + PEXPIRE) only under the limit, answering the remaining count and when to retry. Single-key, so it works on a cluster slot; server time, so API processes never disagree. The non-atomic-limiter sabotage (count and admit in two round trips) is caught by rate-limit-held.',
    measures: [
      {
        kind: 'scenario',
        scenario: 'balance-hammer',
        figures: ['peak_admitted_in_window', 'limit', 'window_ms', 'admitted_per_s'],
      },
    ],
  },
];
