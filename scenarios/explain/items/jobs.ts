import type { Item } from '../item.ts';

/** The sheet's "BullMQ & Background Jobs – Cross Questions". */
export const jobs: Item[] = [
  {
    id: 'jobs-1',
    section: 'BullMQ & background jobs',
    number: 1,
    question:
      'What happens if the worker crashes while processing a job? Is the job retried? With backoff? How many times?',
    answer:
      'A crashed worker stops renewing its job locks; BullMQ’s stalled-job check (STALLED_INTERVAL_MS) hands those jobs to another worker, up to 5 stalls per job (maxStalledCount). A job that fails with a bank error is retried WORKER_ATTEMPTS (5) times with jittered exponential backoff (WORKER_BACKOFF_MS · 2^(n−1) plus up to 50 %). A retry is safe: the worker re-reads the transfer, skips terminal ones, and charges the bank with the transfer id as idempotency key. The worker-kill scenario SIGKILLs a worker every 0.7–2 s during 2,000 payouts.',
    measures: [
      {
        kind: 'scenario',
        scenario: 'worker-kill',
        figures: ['kills', 'stalled_takeover_ms_p50', 'stalled_takeover_ms_max', 'worker_retries'],
      },
    ],
  },
  {
    id: 'jobs-2',
    section: 'BullMQ & background jobs',
    number: 2,
    question: 'How do you handle poison messages / jobs that always fail?',
    answer:
      'Attempts are bounded. After the last attempt (or at once on a decline) the transfer ends FAILED and the money is refunded by a reversal ledger entry in one transaction — but an unknown outcome is first voided at the bank by key, so a charge still in flight cannot land after the refund (if the void finds a charge, the transfer is SETTLED instead). The job then goes to the dead-letter queue payouts-dead, the DeadLettersGrowing alert fires, and `npm run dlq -- list | replay <transferId>` inspects or replays it safely. The poison-job scenario checks that healthy payouts keep their latency meanwhile.',
    measures: [
      {
        kind: 'scenario',
        scenario: 'poison-job',
        figures: ['dead_lettered', 'refunded', 'healthy_latency_ms_p99', 'healthy_latency_ms_p99_baseline'],
      },
    ],
  },
  {
    id: 'jobs-3',
    section: 'BullMQ & background jobs',
    number: 3,
    question: 'How do you ensure exactly-once semantics when calling the mock bank? (idempotency key again?)',
    answer:
      'Delivery is at-least-once (a job can run again after a crash or a retry); the effect is exactly-once because the bank is idempotent by key and the key is the transfer id: a repeated key returns the first result and never charges twice. The worker re-reads the transfer and skips terminal ones, recon asks the bank by key before re-sending, and an unknown outcome is voided by key before any refund. bank-charged-once compares the bank’s own ledger with the transfers; the bank-no-key sabotage (no key) is caught by it.',
    measures: [
      {
        kind: 'scenario',
        scenario: 'worker-kill',
        figures: [
          'check:bank-charged-once.double_charged',
          'check:bank-charged-once.settled',
          'check:bank-charged-once.charged',
        ],
      },
      { kind: 'scenario', scenario: 'lossy-bank', figures: ['retries', 'bank_lookups', 'voids'] },
    ],
  },
  {
    id: 'jobs-4',
    section: 'BullMQ & background jobs',
    number: 4,
    question:
      'Reconciliation Janitor — what if it finds 10,000 stuck transactions? Does it overwhelm the queue? Throttling?',
    answer:
      'It claims stuck transfers in batches (RECON_BATCH, FOR UPDATE SKIP LOCKED) and only as many as keep the payout queue’s waiting count at or below RECON_QUEUE_BOUND (500 by default), so 10,000 rows become a steady trickle. For each it asks the bank by key first: already charged → SETTLED with no resend; declined or voided → FAILED and refunded; otherwise re-enqueued; after RECON_MAX_ATTEMPTS → MANUAL_REVIEW. The recon-flood scenario seeds 10,000 stuck transfers (2,000 already charged), freezes the workers, runs recon with the bound at 200 and samples the waiting count every 50 ms.',
    measures: [
      {
        kind: 'scenario',
        scenario: 'recon-flood',
        figures: ['resolve_all_ms', 'peak_waiting', 'settled_by_lookup', 'requeued'],
      },
    ],
  },
  {
    id: 'jobs-5',
    section: 'BullMQ & background jobs',
    number: 5,
    question:
      'How do you monitor job backlog / queue depth / processing latency? Prometheus metrics? Alerts?',
    answer:
      'The worker exports queue_jobs{queue,state} (read from Redis at scrape time), payout_job_wait_seconds, payout_job_duration_seconds by outcome and payout_jobs_stalled_total; the relay exports outbox_publish_lag_seconds and unpublished rows; recon exports bank_transfers_stuck. Alerts: PayoutQueueBacklog (over 1,000 waiting for 10 min), PayoutJobsFailing, PayoutJobsStalled, DeadLettersGrowing, TransfersStuck; the "Queue and recon" dashboard shows them. The scenario runner samples the queue depth once a second into every run’s samples.jsonl, charted in its report.',
    measures: [
      {
        kind: 'scenario',
        scenario: 'worker-kill',
        figures: ['sampled:queue_waiting_max', 'sampled:queue_active_max', 'sampled:samples'],
      },
      { kind: 'scenario', scenario: 'recon-flood', figures: ['peak_waiting', 'sampled:queue_waiting_max'] },
    ],
  },
  {
    id: 'jobs-6',
    section: 'BullMQ & background jobs',
    number: 6,
    question:
      'Worker concurrency = 50 — how did you decide 50? CPU-bound or I/O-bound? What metrics guided it?',
    answer:
      'A payout job is I/O-bound: nearly all its time is spent waiting on the bank and on Postgres, so one process can keep about 50 calls in flight on one core before CPU limits it, while staying under the database pool (the worker’s pool is min(concurrency, 20)) and the bank’s connection budget (WORKER_CONCURRENCY in service/config.ts). The bench measures how fast a backlog drains against the ideal at several bank latencies, and where settled/s stops growing with concurrency (the knee).',
    measures: [
      {
        kind: 'bench',
        section: 'drain',
        figures: ['drain_2000_bank_25ms_per_s', 'drain_2000_bank_25ms_ratio', 'worker_concurrency_knee'],
      },
    ],
  },
  {
    id: 'jobs-7',
    section: 'BullMQ & background jobs',
    number: 7,
    question: 'What happens during deployment? Do you drain old workers gracefully? Zero-downtime strategy?',
    answer:
      'Every role stops on SIGTERM: the worker calls worker.close(), which finishes the jobs in flight and takes no new ones, and the API closes its server after the requests in progress; the stack gives a role 15 s before SIGKILL. Jobs of a worker that dies anyway are taken up as stalled jobs, and the bank key makes the re-run harmless. Rolling one process at a time keeps the API and the queue served. The deploy-drain scenario restarts workers and API under load and measures the drain.',
    measures: [
      {
        kind: 'scenario',
        scenario: 'deploy-drain',
        figures: ['drain_ms_max', 'jobs_taken_over', 'client_errors_unresolved'],
      },
    ],
  },
];
