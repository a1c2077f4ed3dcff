/**
 * The live walkthroughs: one per scenario worth showing, each a short story told over a real run of that
 * scenario (the runner's, at ci scale) and ending in an answer card for the design sheet's items it
 * answers. Every scenario here runs in well under 90 s on 2 cores, stack start-up included.
 */
export interface Demo {
  /** The scenario it runs (also the demo's id). */
  scenario: string;
  title: string;
  /** What the audience is about to see, before the run starts. */
  setup: string;
  /** Said when the first fault is injected (or, when the load itself is the fault, when it starts). */
  fault: string;
  /** The scenario injects no fault: the load itself is the trial (a burst, a hammer). */
  loadIsTheFault?: boolean;
  /** Said when the last fault is healed. */
  recovery: string;
  /** The design sheet's items the answer card shows (harness/explain/items). */
  items: string[];
  /** The broken variant `--sabotage` runs (a name the service's SABOTAGE variable knows), and what it breaks. */
  sabotage: string;
  sabotageStory: string;
}

export const DEMOS: readonly Demo[] = [
  {
    scenario: 'double-debit',
    title: 'Two debits of one account at the same moment',
    setup:
      'One account holds exactly enough for 100 payouts of $1. We fire 1,000 payouts at it at once, and replay 100 of them with their original Idempotency-Keys.',
    fault: 'The burst: 1,000 concurrent debits queue on one row lock (SELECT … FOR UPDATE).',
    loadIsTheFault: true,
    recovery: 'Burst over: the replays must get their original answers back.',
    items: ['db-1', 'answer-1', 'db-4'],
    sabotage: 'no-row-lock',
    sabotageStory: 'The payout reads the balance without FOR UPDATE and writes back a computed value.',
  },
  {
    scenario: 'worker-kill',
    title: 'Workers SIGKILLed in the middle of payouts',
    setup:
      '2,000 payouts flow through the queue to a bank that answers in 25 ms, while a random worker is killed every 0.7–2 s and restarted.',
    fault:
      'A worker dies holding jobs: its locks expire and the stalled-job check hands them to the other worker.',
    recovery: 'Kills stopped: every transfer must end SETTLED, charged by the bank exactly once.',
    items: ['jobs-1', 'jobs-3'],
    sabotage: 'bank-no-key',
    sabotageStory: 'The worker calls the bank without the transfer id as idempotency key.',
  },
  {
    scenario: 'redis-cut',
    title: 'Redis unreachable under steady payouts',
    setup:
      'Ten clients pay out, read balances and profiles, and update profiles, steadily. Then both Redis links are cut for 6–9 s.',
    fault:
      'Redis is gone: payouts must still be accepted (the outbox needs only Postgres), reads answered from Postgres.',
    recovery: 'Links healed: the backlog must drain, each payout paid once, and no stale profile served.',
    items: ['redis-4', 'answer-2', 'general-8'],
    sabotage: 'enqueue-direct',
    sabotageStory: 'The API enqueues to BullMQ after commit (fire and forget) instead of through the outbox.',
  },
  {
    scenario: 'postgres-crash',
    title: 'PostgreSQL SIGKILLed mid-transaction',
    setup: 'Ten clients pay out steadily, retrying unknown outcomes with their keys, as real clients do.',
    fault:
      'Postgres (postmaster and backends) is killed during a burst of payouts, three times: transactions in progress vanish, WAL replay follows.',
    recovery: 'Postgres is back: every payout acknowledged with 201 must still be there, none twice.',
    items: ['db-7', 'general-2'],
    sabotage: 'ack-before-commit',
    sabotageStory: 'The API answers 201 before its transaction commits.',
  },
  {
    scenario: 'recon-flood',
    title: '10,000 stuck transfers and the reconciliation janitor',
    setup:
      '10,000 transfers are stuck in PROCESSING (2,000 already charged at the bank), the workers are frozen, and recon runs with the queue bounded at 200.',
    fault: 'Workers frozen: only recon’s throttle stands between 10,000 rows and the queue.',
    recovery: 'Workers back: recon must resolve each transfer exactly once, never flooding the queue.',
    items: ['jobs-4', 'answer-7'],
    sabotage: 'recon-no-throttle',
    sabotageStory: 'Recon ignores the queue bound.',
  },
  {
    scenario: 'cache-stampede',
    title: 'A hot profile expiring under 1,000 concurrent reads',
    setup:
      'Three API processes serve one hot profile; at each expiry 1,000 reads arrive while Postgres answers 30 ms slower.',
    fault: 'The entry expires under the burst: one loader takes the lock, everyone else waits for its value.',
    recovery: 'Bursts over: each expiry must have cost Postgres exactly one load.',
    items: ['redis-2', 'answer-4'],
    sabotage: 'no-single-flight',
    sabotageStory: 'A cache miss loads from Postgres in every request: no single-flight, no Redis lock.',
  },
  {
    scenario: 'balance-hammer',
    title: 'One user polling their balance hundreds of times a second',
    setup: 'Sixteen callers ask for one balance back to back through two API processes, for 8 s.',
    fault: 'The hammer: far more than 10 requests a second for one user.',
    loadIsTheFault: true,
    recovery:
      'Done: no window may have admitted more than the limit, and Postgres saw only the admitted reads.',
    items: ['redis-1', 'redis-6'],
    sabotage: 'non-atomic-limiter',
    sabotageStory: 'The limiter counts in one Redis round trip and admits in another.',
  },
];
