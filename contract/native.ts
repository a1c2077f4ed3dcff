/**
 * What the built-in target — the reference service on the native stack that faultline starts itself
 * (stack/target/) — offers beyond a target description. A description can only say what any service
 * can: an API, users, money, state reads, process commands, proxied links. Some scenarios reach
 * further into the reference, and run only natively: each such reach is a `native:` capability
 * (NATIVE_CAPABILITIES), and a scenario needing one is skipped, naming it, on any other target.
 */

/** The capabilities only the native stack has, and why a description cannot give them. */
export const NATIVE_CAPABILITIES = {
  'native:queue':
    'reads the payout queue (BullMQ in the queue Redis): job counts, the jobs a worker holds, dead letters and their replay',
  'native:seed': 'writes payouts behind the API (stuck or corrupt rows) in the reference schema',
  'native:redis': 'administers both Redis servers directly: memory limits, filler keys, cache entry TTLs',
  'native:spawn-api': 'starts more API processes on the running stack',
  'native:settings':
    "starts the stack with the scenario's own settings (fraud rules, timeouts) and reads the service's configuration",
  'native:postgres':
    "reads PostgreSQL's own records: its server log (deadlocks it detected) and who waits on whom (pg_stat_activity)",
  'native:holds': 'lists fraud holds and records operator decisions on them',
  'native:ha':
    'the ha topology (Patroni, HAProxy, Redis Sentinels) started and struck member by member: hosts crashed or cut off, masters killed, roles watched',
  'native:processes':
    'signals processes, reads how they exited (drain time, exit code, signal), starts a role again with a link of its own',
} as const;

export type NativeCapability = keyof typeof NATIVE_CAPABILITIES;

/** A process of the native stack, as the nemesis controls it. */
export interface NativeProcess {
  readonly name: string;
  readonly role: string;
  readonly pid: number;
  readonly running: boolean;
  /** Resolves when the current incarnation exits. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
  /** Starts it again (same name, port and log) and waits until it is ready. */
  restart(): Promise<void>;
}

/** An API process of the native stack. */
export interface NativeApi {
  name: string;
  url: string;
  metrics: string;
}

/** A payout job as the queue holds it. */
export interface NativeJob {
  /** `host:pid` of the worker that took it last. */
  processedBy?: string;
  finishedOn?: number;
  failedReason?: string;
  /** How often it was found stalled (its worker died or hung holding it). */
  stalledCounter: number;
}

/** A payout the worker gave up on, from the dead-letter queue. */
export interface NativeDeadLetter {
  transferId: string;
  attemptsMade: number;
  /** Why its job gave up. */
  reason: string;
}

export type QueueState = 'waiting' | 'active' | 'delayed' | 'prioritized' | 'completed' | 'failed';

/** The payout queue (`native:queue`). */
export interface NativeQueue {
  counts(...states: QueueState[]): Promise<Partial<Record<QueueState, number>>>;
  /** Ids of the jobs the worker process `name` holds now. */
  activeJobsOf(name: string): Promise<string[]>;
  job(id: string): Promise<NativeJob | null>;
  deadLetters(): Promise<NativeDeadLetter[]>;
  /** `npm run dlq -- replay` for every dead letter; returns how many were re-enqueued. */
  replayDeadLetters(): Promise<number>;
  /** The BullMQ worker name a process stamps its jobs with. */
  workerName(name: string): string;
  /** Payouts whose jobs are in the queue while their outbox rows are not yet marked published. */
  publishedUnmarked(): Promise<number>;
  /** Payouts published to the queue and still open (PENDING or PROCESSING): the jobs at stake now. */
  publishedOpen(): Promise<string[]>;
  /** Whether the queue holds the first job of a payout (in any state). */
  hasJob(transferId: string): Promise<boolean>;
}

/** A Redis server of the native stack, for a client of the harness (`native:redis`). */
export interface NativeRedis {
  url: string;
  /** The CA to trust, for a --tls stack. */
  caFile?: string;
  /** On the ha topology: the Sentinels to ask for the group's master, and its name. */
  sentinels?: Array<{ host: string; port: number }>;
  masterName?: string;
}

/** The ha topology's members (`native:ha`), struck and watched by name. */
export interface NativeHa {
  /** The PostgreSQL members, by name. */
  readonly members: readonly string[];
  /** Patroni's leader lock TTL (s): how long a cut-off primary may go on holding its lock. */
  readonly ttlSeconds: number;
  /** The database through HAProxy, as the service reaches it. */
  readonly url: string;
  /** The database on one member, dialled directly (not through HAProxy). */
  memberUrl(name: string): string;
  /** The primary, once the cluster has one (and, when synchronous, a synchronous standby) again. */
  primary(): Promise<string>;
  /** The member's host crashing: its links dropped, its agent, postmaster and backends SIGKILLed. */
  crashMember(name: string): Promise<void>;
  /** The member cut off from etcd and its peers, while clients still reach it. */
  isolateMember(name: string): Promise<void>;
  /** Undoes either: links back, its agent started if down; resolves once every member streams again. */
  rejoinMember(name: string): Promise<void>;
  /** The server the Sentinels name master of a Redis group now, if one answers. */
  redisMaster(group: 'queue' | 'cache'): Promise<string | undefined>;
  /** SIGKILLs one Redis server of the topology, by name, and waits for its exit. */
  killRedis(name: string): Promise<void>;
  /** Starts it again (the Sentinels make it a replica of the master they promoted). */
  restartRedis(name: string): Promise<void>;
}

/** Fraud holds (`native:holds`). */
export interface NativeHolds {
  /** Every hold by transfer id: the rule that held it, and the decision taken on it so far. */
  list(): Promise<Map<string, { reason: string; decision: 'released' | 'refused' | null }>>;
  decide(
    transferId: string,
    decision: 'release' | 'refuse',
    note: { by: string; reason: string },
  ): Promise<void>;
}

/** How the native stack is started for one scenario (Scenario.plan). */
export interface NativePlan {
  workers: number;
  /** Run the recon role too. */
  recon: boolean;
  /** Put proxies between the service and Postgres, both Redis and the bank. */
  proxies: boolean;
  /** Service environment overrides for every role (timeouts, intervals, bounds). */
  env: Record<string, string>;
  /** `ha` for the failover scenarios: Patroni, HAProxy, Redis replicas and Sentinels; `single` unless set. */
  topology?: 'single' | 'ha';
}

/** Everything the native stack offers beyond its description. */
export interface NativeExtras {
  readonly capabilities: readonly NativeCapability[];
  process(name: string): NativeProcess;
  startApi(): Promise<NativeApi>;
  queue: NativeQueue;
  /**
   * Payouts inserted behind the API's back, debited and in the ledger, in one transaction: PROCESSING,
   * published and an hour old (as if every worker died after taking them: recon takes them), or with
   * `fresh` just committed (PENDING, unpublished). Returns their ids.
   */
  seedStuck(opts: {
    accountIds: string[];
    perAccount: number;
    amount: number;
    currency?: string;
    fresh?: boolean;
  }): Promise<string[]>;
  /** Sets the currency of these payouts (poison-job's repair of rows it wrote with a bad one). */
  setCurrency(transferIds: string[], currency: string): Promise<void>;
  /** The database's clock. */
  now(): Promise<Date>;
  redis: { queue: NativeRedis; cache: NativeRedis };
  settings: {
    /** The balance-read rate limit per user. */
    balanceReads: { limit: number; windowMs: number };
    /** The Redis key of a user's cached profile. */
    profileCacheKey(userId: string): string;
  };
  holds: NativeHolds;
  /** The ha topology's parts, or null on a single stack. */
  ha: NativeHa | null;
  postgresLogFile: string;
  /** Sessions waiting on a lock held by a transaction left idle mid-way (`idle in transaction`). */
  blockedSessions(): Promise<{ blocked: number; who: string[] }>;
  /**
   * Stops the running processes of `role` and starts one in their place whose queue Redis is reached
   * through `redisQueueVia` (host:port: a proxy of the scenario's own); returns it.
   */
  replaceRole(role: 'relay', opts: { redisQueueVia: string }): Promise<NativeProcess>;
  /** PostgreSQL's and Redis's versions, for the report. */
  versions(): Promise<{ postgres: string | null; redis: string | null }>;
}
