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
      'A crashed worker stops renewing its job locks; BullMQ’s stalled-job check (every STALLED_INTERVAL_MS, 30 s by default) hands those jobs to another worker, up to 5 stalls per job; a sixth fails it unprocessed, and the worker closes it like a last attempt with no answer (void at the bank, then settled or refunded) and dead-letters it. A job that fails on a bank error is retried: WORKER_ATTEMPTS = 5 attempts with jittered exponential backoff (WORKER_BACKOFF_MS = 500 ms · 2^(n−1), plus up to 50 %). A re-run is safe: the worker re-reads the transfer, skips terminal ones, and charges the bank with the transfer id as its idempotency key. worker-kill SIGKILLs a random worker every 0.7–2 s while 2,000 payouts go through, and times how long the killed worker’s jobs waited.',
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
      'Attempts are bounded, and what happens after the last one depends on what is known. A decline ends FAILED at once, refunded by a reversal entry in the same transaction. A bank that never answered: the key is voided at the bank first, so a charge still in flight cannot land after the refund (if the void finds a charge, SETTLED instead). Any other error — a request the bank refuses, a bug — leaves the transfer open with its money held and its error noted, to be replayed once fixed. Every final failure goes to the dead-letter queue (DeadLettersGrowing alerts); `npm run dlq -- list | replay <transferId>` inspects or replays safely, the worker skipping what is already terminal. poison-job mixes declined and corrupt payouts into healthy ones, checks the healthy p99 stays within 2 × its baseline + 500 ms, then repairs the rows and replays every dead letter.',
    measures: [
      {
        kind: 'scenario',
        scenario: 'poison-job',
        figures: [
          'dead_lettered',
          'refunded',
          'healthy_latency_ms_p99',
          'healthy_latency_ms_p99_baseline',
          'replay_settled',
        ],
      },
    ],
  },
  {
    id: 'jobs-3',
    section: 'BullMQ & background jobs',
    number: 3,
    question: 'How do you ensure exactly-once semantics when calling the mock bank? (idempotency key again?)',
    answer:
      'Delivery is at-least-once (a job can run again after a crash, a stall or a retry); the effect is exactly-once because the bank is idempotent by key and the key is the transfer id: a repeated key returns the first result and never charges twice. The worker re-reads the transfer and skips terminal ones, recon asks the bank by key before re-sending, and an unknown outcome is voided by key before any refund. bank-charged-once compares the bank’s own ledger with the transfers after every money scenario; the bank-no-key sabotage (charges without a key) is caught by it. lossy-bank makes the bank err, time out, drop responses after charging and charge late, and counts the retries, lookups and voids that kept it exact.',
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
      {
        kind: 'scenario',
        scenario: 'lossy-bank',
        figures: ['retries', 'bank_lookups', 'voids', 'check:bank-charged-once.double_charged'],
      },
    ],
  },
  {
    id: 'jobs-4',
    section: 'BullMQ & background jobs',
    number: 4,
    question:
      'Reconciliation Janitor — what if it finds 10,000 stuck transactions? Does it overwhelm the queue? Throttling?',
    answer:
      'It claims stuck transfers in batches (RECON_BATCH = 100, FOR UPDATE SKIP LOCKED in the statement that also touches them) and only as many as keep the payout queue’s waiting count at or below RECON_QUEUE_BOUND (500 by default), so 10,000 rows become a steady trickle. For each it asks the bank by key first: already charged → SETTLED with no resend; declined or voided → FAILED and refunded; otherwise re-enqueued; after RECON_MAX_ATTEMPTS (5) → MANUAL_REVIEW, for `npm run ops -- review`. It holds no row lock while it talks to the bank or Redis, and a failed lookup skips its row rather than stopping the batch. recon-flood seeds 10,000 stuck transfers (2,000 already charged), freezes the workers, runs recon with the bound at 200 and samples the waiting count every 50 ms.',
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
      'The worker exports queue_jobs{queue,state} (read from Redis at scrape time, dead letters included), payout_job_wait_seconds, payout_job_duration_seconds by outcome and payout_jobs_stalled_total; the relay exports outbox_publish_lag_seconds and outbox_unpublished; recon exports bank_transfers_stuck and its outcomes. Alerts (observability/prometheus/rules/): PayoutQueueBacklog (a backlog for 10 min), PayoutJobsFailing, PayoutJobsStalled, DeadLettersGrowing, TransfersStuck, TransfersNeedManualReview; the "Queue and recon" dashboard shows them, and CI checks that every dashboard query returns data after a suite run. The scenario runner samples the queue by state once a second into every run’s samples.jsonl and charts it in its report.html.',
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
      'A payout job is I/O-bound: nearly all its time is waiting on the bank and on Postgres, so one Node process can keep many in flight on one core; WORKER_CONCURRENCY = 50 is the default (service/config.ts). It was not tuned by a guess: the bench sweeps one worker through 1–200 jobs in flight with the bank at 50 ms and reports where settled/s stops growing (the knee, the smallest level within 90 % of the best), each level’s CPU and event-loop lag, and a verdict on 50 in words; the drains compare settled/s with the ideal (concurrency ÷ the bank call) at bank latencies of 0, 25 and 100 ms.',
    measures: [
      {
        kind: 'bench',
        section: 'worker concurrency and drains',
        figures: [
          'worker_concurrency_knee',
          'worker_concurrency_50_settled_per_s',
          'worker_concurrency_50_event_loop_lag_ms_p99',
          'finding:worker_concurrency_50',
          'drain_10000_bank_100ms_ratio',
        ],
      },
    ],
  },
  {
    id: 'jobs-7',
    section: 'BullMQ & background jobs',
    number: 7,
    question: 'What happens during deployment? Do you drain old workers gracefully? Zero-downtime strategy?',
    answer:
      'Every role stops on SIGTERM: the worker calls worker.close(), which lets the jobs in flight finish and takes no new ones, and the API closes its server after the requests in progress; the native stack waits 15 s before a SIGKILL. A worker that dies anyway leaves its jobs to the stalled-job check, and the bank key makes the re-run harmless. Zero downtime is rolling one process at a time. deploy-drain does that to both workers and both API processes under steady payouts (SIGTERM, a replacement on the same port, the next), retrying through the other API any call that got no definite answer, and checks that every held job finished on its own worker, every process exited by itself, and nothing was lost or charged twice.',
    measures: [
      {
        kind: 'scenario',
        scenario: 'deploy-drain',
        figures: ['drain_ms_max', 'jobs_in_flight_at_stop', 'jobs_taken_over', 'client_errors_unresolved'],
      },
    ],
  },
];
