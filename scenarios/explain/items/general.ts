import type { Item } from '../item.ts';

/** The sheet's "General System Design & Trade-off Probes". */
export const general: Item[] = [
  {
    id: 'general-1',
    section: 'General system design',
    number: 1,
    question: 'Why Postgres + Redis instead of just Postgres with LISTEN/NOTIFY or pg_cron?',
    answer:
      'Postgres already does the part that must be exact: the debit and the outbox row commit together, and the relay does LISTEN for a NOTIFY from each commit (with polling as the fallback when a notification is missed). BullMQ on Redis adds what a job system needs beyond a wake-up: retries with backoff, stalled-job detection, bounded concurrency, a dead-letter queue and a scheduler (recon runs as a BullMQ job scheduler, where pg_cron would do). The same could be built on Postgres alone (SKIP LOCKED claims); the bench compares the two pipelines and what the queue costs over the API and database path alone.',
    measures: [
      {
        kind: 'bench',
        section: 'pipeline',
        figures: ['pipeline_settled_per_s', 'pipeline_settled_ratio', 'pg_queue_vs_bullmq_settle_ratio'],
      },
    ],
  },
  {
    id: 'general-2',
    section: 'General system design',
    number: 2,
    question:
      'What’s the single point of failure right now? How would you make it highly available tomorrow?',
    answer:
      'PostgreSQL: it holds every balance, so while it is down no payout is accepted (503, nothing changed, clients retry with their keys), and the API is ready again within seconds of a restart. The queue Redis is not a single point for acceptance — payouts are accepted through the outbox and paid after it returns — only for settlement; the cache Redis is optional. API, relay, worker and recon run as several stateless processes already. Tomorrow: a synchronous streaming replica with automatic failover (Patroni or a managed service) for Postgres, Sentinel or a managed replica for the queue Redis (its AOF loses at most a second, and recon re-sends what is lost).',
    measures: [
      {
        kind: 'scenario',
        scenario: 'postgres-crash',
        figures: ['api_ready_after_crash_ms', 'unsuccessful_calls'],
      },
      {
        kind: 'scenario',
        scenario: 'redis-crash',
        figures: ['payouts_during_outage', 'drain_after_heal_ms'],
      },
    ],
  },
  {
    id: 'general-3',
    section: 'General system design',
    number: 3,
    question: 'Scale to 10,000 concurrent users — what breaks first? How would you fix it?',
    answer:
      'The candidates: each API process has DATABASE_POOL_MAX (20) connections and a debit holds one for a round trip, so requests queue for the pool; behind it Postgres CPU and commit fsyncs on a small machine; and a single hot account is bound by its row lock however many users there are. Fixes in that order: more API processes behind PgBouncer, group commit (commit_delay) rather than weaker durability, then sharding accounts. The bench ramps to 10,000 users to find the knee and names which limit came first, and measures throughput against the number of accounts contended.',
    measures: [
      {
        kind: 'bench',
        section: 'users and contention',
        figures: [
          'users_10k_knee_per_s',
          'finding:users_10k_first_limit',
          'contention_1_accounts_per_s',
          'contention_64_accounts_per_s',
        ],
      },
    ],
  },
  {
    id: 'general-4',
    section: 'General system design',
    number: 4,
    question: 'How would you add multi-currency support tomorrow? Schema changes? Locking strategy?',
    answer:
      'Half of it is there: an account has one currency (char(3), checked), amounts are integer minor units, and a payout or transfer in another currency is refused with 422 currency_mismatch. Multi-currency means one account per user and currency (no balance schema change), a per-currency minor-unit exponent, and FX as an internal transfer between the user’s two accounts at a rate recorded with the operation — locking both rows in id order, as transfers already do, so it cannot deadlock.',
    measures: [],
    unmeasured:
      'No run measures it: it is a design answer. The currency checks are tested in service/test/requests.test.ts and service/test/money-path.test.ts (currency_mismatch).',
  },
  {
    id: 'general-5',
    section: 'General system design',
    number: 5,
    question: 'Fraud detection — any hooks or patterns you built in (velocity checks, amount anomalies)?',
    answer:
      'In this build: amounts are bounded (MAX_AMOUNT), a user can move money only out of their own accounts, every request is authenticated, and reads and profile writes are rate-limited per user; there is no payout velocity check yet. The hook for one is the payout function: a hold decided before the debit leaves a transfer that never reaches the bank. The fraud-burst scenario (security branch) measures holds under a burst and what they cost legitimate payouts.',
    measures: [
      {
        kind: 'scenario',
        scenario: 'fraud-burst',
        figures: ['held', 'held_reached_bank', 'legit_latency_ms_p99'],
      },
    ],
  },
  {
    id: 'general-6',
    section: 'General system design',
    number: 6,
    question: 'PII / sensitive data — how are you encrypting at rest? In transit? Secrets management?',
    answer:
      'API keys are stored only as sha256 hashes. Email and phone are never left in the cache: changing them purges the cached profile instead of writing it through, and public profiles carry only name, bio, locale and version. Logs carry ids, never bodies. At rest the reference service relies on disk encryption (Postgres stores plain columns); in transit it speaks plain HTTP on loopback (TLS belongs to the proxy in front of it). Configuration is read once from the environment (zod), nothing secret is in the repo, and the native stack gives Postgres a fresh random password per run.',
    measures: [],
    unmeasured:
      'No run measures it: nothing checks for PII in logs or caches yet. A check over every scenario’s logs/ and the cache Redis for email and phone values would.',
  },
  {
    id: 'general-7',
    section: 'General system design',
    number: 7,
    question:
      'Observability cost — Prometheus + Grafana + Loki on a single VM — when does it become a problem?',
    answer:
      'The cost follows the number of active series times the scrape frequency, and log volume. Labels are bounded by rule (route templates, outcomes, states — never an id), so series grow with processes, not with users or payouts; logs are one JSON line per event. It becomes a problem when series or log volume outgrow one VM’s memory and disk (Prometheus keeps recent series in memory): then shorter retention, recording rules, remote storage or a second VM.',
    measures: [],
    unmeasured:
      'No run measures it yet: a bench section recording Prometheus’s series count, CPU and memory while it scrapes a loaded stack would (Prometheus runs only under `npm run up` and the CI query check today).',
  },
  {
    id: 'general-8',
    section: 'General system design',
    number: 8,
    question: 'One production incident you simulated or imagined — what broke, how did you debug it fast?',
    answer:
      'The queue Redis becoming unreachable in the middle of steady payouts (redis-cut). What broke: nothing that was acknowledged — payouts kept being accepted because the outbox needs only Postgres, and were paid once the link came back; reads fell back to Postgres. How it was debugged: every fault window is shaded on the dashboards and in the run’s report.html, whose timelines (operations by outcome, latency, queue depth, money in flight) show the backlog building and draining; the first failing example of a check points to its history lines and the process logs of that moment. The selftest’s enqueue-direct variant shows the bug this design prevents: payouts accepted during the cut never reach the bank.',
    measures: [
      {
        kind: 'scenario',
        scenario: 'redis-cut',
        figures: ['payouts_during_outage', 'outage_ms', 'drain_after_heal_ms', 'sampled:queue_waiting_max'],
      },
    ],
  },
];
