import type { Item } from '../item.ts';

/** The sheet's "General System Design & Trade-off Probes". */
export const general: Item[] = [
  {
    id: 'general-1',
    section: 'General system design',
    number: 1,
    question: 'Why Postgres + Redis instead of just Postgres with LISTEN/NOTIFY or pg_cron?',
    answer:
      'Postgres already carries what must be exact: the debit and its outbox row commit together, and the API hints the relay over the queue Redis after the commit, with polling every RELAY_POLL_MS as the fallback (a NOTIFY inside the money transaction serialized every payout’s commit database-wide: the bench measured the spread path at half its rate with it). BullMQ on Redis adds what a job system needs beyond a wake-up: per-job retries with backoff, stalled-job detection and takeover, bounded concurrency per worker, a dead-letter queue, and recon’s schedule as a BullMQ job scheduler (where pg_cron would do). The price is a second stateful server and a hop: the bench reports settled/s with the whole pipeline against the API+DB path alone, and the queue Redis’s commands per second in the worker sweep. The bench’s pg_queue section measures the alternative: the same outbox worked off by a SKIP LOCKED queue in Postgres (the same claim, bank call and settle, 50 in flight) against relay → BullMQ → worker, legs alternating: settled/s, CPU and WAL per payout, and commit-to-settle latency. A Postgres-only queue saves the relay hop and the Redis round trips; what it lacks is everything above a wake-up, which would have to be rebuilt in SQL.',
    measures: [
      {
        kind: 'bench',
        section: 'pipeline',
        figures: [
          'pipeline_settled_per_s',
          'pipeline_settled_ratio',
          'worker_concurrency_50_redis_ops_per_s',
        ],
      },
      {
        kind: 'bench',
        section: 'Postgres-only queue',
        figures: [
          'pg_queue_vs_bullmq_settle_ratio',
          'pg_queue_drain_per_s',
          'bullmq_drain_per_s',
          'pg_queue_cpu_ms_per_payout',
          'bullmq_cpu_ms_per_payout',
          'pg_queue_commit_to_settle_ms_p99',
          'bullmq_commit_to_settle_ms_p99',
        ],
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
      'On the default single-node stack, PostgreSQL: it holds every balance and the outbox, so while it is down no payout is accepted (503 database_unavailable, nothing changed; clients retry with their keys). The `ha` topology (npm run up -- --topology ha; docs/failover.md) removes that single process: PostgreSQL runs as a Patroni cluster — a primary, a synchronous standby and an asynchronous one, the leader lock in etcd, use_pg_rewind — behind HAProxy, which forwards to whichever member answers /primary, so every role keeps one DATABASE_URL; each Redis has a replica and three Sentinels that every client (BullMQ included) asks for the master. pg-failover crashes the primary’s host during bursts of payouts: Patroni promotes the synchronous standby about one leader-lock TTL (10 s here) later, and no acknowledged payout is lost, since a commit is acknowledged only once the standby has flushed it; the same run with asynchronous standbys (sabotage async-standby) loses the payouts acknowledged in its last fraction of a second. pg-primary-isolated cuts the primary off from etcd and its standbys: its commits wait for a standby it cannot reach, it demotes itself before its lock expires, and no two members ever accept writes. redis-failover: Sentinel promotes the replica within seconds; jobs the old master had not yet replicated are lost by design, and the outbox and recon pay those payouts anyway, once. The bench’s replication section prices it: throughput and p99 with a synchronous standby against an asynchronous one and none. What stays a single point here is the one machine: one HAProxy (production runs two behind a floating address, or clients list every member with target_session_attrs=read-write), one etcd member (three or five on separate machines keep the lock store alive when a machine goes), and one disk, kernel and power supply under every member. A multi-machine deployment — members and Sentinels in different failure zones, the synchronous standby in another zone than the primary — is what turns these measured failovers into availability, at the price of a network round trip in every commit.',
    measures: [
      {
        kind: 'scenario',
        scenario: 'pg-failover',
        figures: [
          'failover_ms_max',
          'no_writable_primary_ms_max',
          'api_ready_after_ms_max',
          'check:acknowledged-durable.acknowledged',
          'check:acknowledged-durable.errors',
          'unknown_during_failover',
        ],
      },
      {
        kind: 'scenario',
        scenario: 'pg-failover',
        sabotage: 'async-standby',
        figures: ['check:acknowledged-durable.errors', 'check:acknowledged-durable.acknowledged'],
      },
      {
        kind: 'scenario',
        scenario: 'pg-primary-isolated',
        figures: ['commit_window_ms_max', 'failover_ms_max', 'check:no-two-primaries.overlap_ms'],
      },
      {
        kind: 'scenario',
        scenario: 'redis-failover',
        figures: ['redis_failover_ms', 'jobs_lost_by_failover', 'jobs_at_stake'],
      },
      {
        kind: 'bench',
        section: 'replication',
        figures: [
          'replication_sync_payouts_per_s',
          'replication_async_vs_sync_throughput_ratio',
          'replication_none_vs_sync_throughput_ratio',
          'replication_sync_vs_none_p99_ratio',
        ],
      },
      {
        kind: 'scenario',
        scenario: 'postgres-crash',
        figures: ['api_ready_after_crash_ms', 'unsuccessful_calls', 'accepted_during_fault_ratio'],
      },
    ],
  },
  {
    id: 'general-3',
    section: 'General system design',
    number: 3,
    question: 'Scale to 10,000 concurrent users — what breaks first? How would you fix it?',
    answer:
      'The candidates, each watched by the bench: an API process has DATABASE_POOL_MAX (20) connections and a payout holds one for its round trip, so requests queue for the pool; one Node event loop per API process; PostgreSQL’s CPU and commit flushes (fsync stays on); the Redis servers; and a single hot account, bound by its row lock however many users there are (the contention curve). The bench seeds 10,000 users, each with its own key and account, ramps Poisson arrivals +30 % every 3 s until p99 > 500 ms or errors > 0.1 %, and names the first watched signal that crossed its threshold — on a shared machine it may name none. Fixes, in that order: more API processes behind PgBouncer, group commit rather than weaker durability, then sharding accounts. For a hot account, PAYOUT_COALESCE=on (the default) sends its concurrent payouts as one payout_batch() call — one lock, one commit, each payout keeping its own key, ledger entry and outbox row — measured as hot_coalesced_api_db_ratio.',
    measures: [
      {
        kind: 'bench',
        section: 'users and contention',
        figures: [
          'users_10k_knee_per_s',
          'users_10k_knee_latency_ms_p99',
          'finding:users_10k_first_limit',
          'contention_1_accounts_per_s',
          'contention_64_accounts_per_s',
          'hot_coalesced_api_db_ratio',
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
      'Accounts are multi-currency already: every account has one ISO 4217 currency (the codes with a minor unit, each with its exponent, in service/money/currencies.ts), amounts are integers in that minor unit (JPY 0 decimals, USD 2, BHD 3), MAX_AMOUNT and FRAUD_MAX_AMOUNT are scaled per exponent, fraud windows are per user and currency, and a payout, transfer or deposit in another currency than its account’s is 422 currency_mismatch. A user holds one account per currency, so a currency is a column and needs no other lock. Not built: conversion. FX would be an internal transfer between the user’s two accounts at a rate recorded with the operation, both rows locked in id order as transfers already are. The bench pays out in USD, JPY and BHD at once against USD only, and asks every JPY and BHD account for a payout in another currency.',
    measures: [
      {
        kind: 'bench',
        section: 'currencies',
        figures: [
          'multi_currency_ratio',
          'multi_currency_payouts_per_s',
          'currency_mismatch_refused',
          'currency_mismatch_sent',
          'currency_mismatch_effects',
        ],
      },
    ],
  },
  {
    id: 'general-5',
    section: 'General system design',
    number: 5,
    question: 'Fraud detection — any hooks or patterns you built in (velocity checks, amount anomalies)?',
    answer:
      'Every payout passes three rules before its transaction, in one Redis script (velocity-3.lua), never inside the transaction that holds the row lock: more than FRAUD_MAX_PAYOUTS (20) in FRAUD_WINDOW_MS (1 h) per user and currency, a sum above FRAUD_MAX_AMOUNT (10,000.00, scaled per exponent), or an amount above FRAUD_ANOMALY_FACTOR (10) × the median of the user’s last 20 payouts (once there are 5). A payout they flag is held, not refused: debited, answered 201 with status MANUAL_REVIEW, its transfer unpublished with a payout_holds row naming the rule, until an operator releases it (paid through the outbox) or refuses it (refunded): `npm run fraud -- list | release | refuse`. With the cache Redis away each API process decides with its own window (alert FraudChecksDegraded); FraudHoldsBurst fires on more than 10 holds in 15 min. fraud-burst: honest users at a steady pace, a burst, a drain and an anomaly.',
    measures: [
      {
        kind: 'scenario',
        scenario: 'fraud-burst',
        figures: ['held', 'held_reached_bank', 'legit_latency_ms_p99', 'released', 'refused'],
      },
    ],
  },
  {
    id: 'general-6',
    section: 'General system design',
    number: 6,
    question: 'PII / sensitive data — how are you encrypting at rest? In transit? Secrets management?',
    answer:
      'At rest: email and phone are sealed by the API with AES-256-GCM (node:crypto, a fresh IV per value, the user and field bound in as authenticated data) before they reach Postgres or the cache, each value naming the key that sealed it; keys come from PII_KEYS or PII_KEYS_FILE and rotate with `npm run pii -- new-key | rotate | status`. API keys are stored only as sha256; logs redact email and phone at any depth. In transit: `--tls` runs every link encrypted and authenticated (PostgreSQL verify-full, Redis TLS with ACL users, bank requests signed with HMAC-SHA256); TLS on the API’s public port is the load balancer’s job. Secrets come from the environment or `<NAME>_FILE`, fresh per native stack (mode 0600), none in the repo; /metrics and /readyz detail only on the loopback ops listener. The bench sets emails and phones through the API, then searches every table, every cache value and every process log for them in plain; CI runs redis-cut and postgres-crash with --tls.',
    measures: [
      {
        kind: 'bench',
        section: 'personal data',
        figures: [
          'pii_plain_in_postgres',
          'pii_plain_in_cache',
          'pii_plain_in_logs',
          'pii_sealed_in_postgres',
          'pii_opened_for_owner',
          'pii_seal_ms',
        ],
      },
      {
        kind: 'scenario',
        scenario: 'postgres-crash',
        tls: true,
        figures: ['check:acknowledged-durable.acknowledged', 'api_ready_after_crash_ms'],
      },
      {
        kind: 'scenario',
        scenario: 'redis-cut',
        tls: true,
        figures: ['payouts_during_outage', 'drain_after_heal_ms'],
      },
    ],
  },
  {
    id: 'general-7',
    section: 'General system design',
    number: 7,
    question:
      'Observability cost — Prometheus + Grafana + Loki on a single VM — when does it become a problem?',
    answer:
      'The cost follows active series × scrape frequency, and log volume. Labels are bounded by rule (route templates, outcomes, states — never an id), so series grow with processes, not with users or payouts; logs are one JSON line per event. The bench measures it on its stack after tens of thousands of payouts: each role’s series, bytes and CPU per /metrics scrape; a real Prometheus, with the alert rules, scraping every process each second while payouts flow — its head series, samples/s, share of a core and resident memory; and the log bytes written per payout (what Loki would ingest). On one VM it becomes a problem when series × retention outgrow memory and disk (Prometheus keeps about two hours of samples in memory) or logs outgrow disk: then recording rules, a longer scrape interval, shorter retention, remote storage or a second VM. Grafana and Loki are not run natively, so not measured.',
    measures: [
      {
        kind: 'bench',
        section: 'observability',
        figures: [
          'metrics_series_all_processes',
          'metrics_series_api',
          'metrics_scrape_cpu_ms_api',
          'prometheus_head_series',
          'prometheus_samples_per_s',
          'prometheus_cpu_pct',
          'prometheus_rss_bytes',
          'log_bytes_per_payout',
        ],
      },
    ],
  },
  {
    id: 'general-8',
    section: 'General system design',
    number: 8,
    question: 'One production incident you simulated or imagined — what broke, how did you debug it fast?',
    answer:
      'Both Redis links cut in the middle of steady payouts (redis-cut). What broke: nothing that was acknowledged — payouts kept being accepted because the outbox needs only Postgres, and were paid once the links came back; reads fell back to Postgres; rate limits and fraud windows to each process. How it is debugged fast: every fault window is shaded on the dashboards and in the run’s report.html, whose timelines (operations by outcome, latency, queue depth, money in flight) show the backlog building and draining; a failing check’s first and worst examples point to their history lines, and logs/ has every process at that moment. The selftest’s enqueue-direct variant is the incident this design prevents: payouts accepted during the cut never reach the bank, and all-terminal catches it.',
    measures: [
      {
        kind: 'scenario',
        scenario: 'redis-cut',
        figures: ['payouts_during_outage', 'outage_ms', 'drain_after_heal_ms', 'sampled:queue_waiting_max'],
      },
    ],
  },
];
