import { z } from 'zod';
import { mulberry32 } from '../../lib/prng.ts';

const rate = z.number().min(0).max(1).default(0);

/** Body of PUT /v1/faults: a whole new fault config; a missing field switches that fault off. */
export const faultsInput = z.strictObject({
  seed: z.int().min(0).optional(),
  /** Capped at a minute: a longer sleep would outlive every client timeout anyway. */
  latencyMs: z.int().min(0).max(60_000).default(0),
  errorRate: rate,
  timeoutRate: rate,
  dropResponseRate: rate,
  declineRate: rate,
  /** Share of charge requests held `spikeMs` longer, charged even when the client gave up meanwhile. */
  spikeRate: rate,
  spikeMs: z.int().min(0).max(60_000).default(0),
});

export type FaultsInput = z.input<typeof faultsInput>;

/** The fault config in force, as GET /v1/faults shows it. */
export interface Faults {
  seed: number;
  latencyMs: number;
  errorRate: number;
  timeoutRate: number;
  dropResponseRate: number;
  declineRate: number;
  spikeRate: number;
  spikeMs: number;
}

/**
 * What to do to one POST /v1/charges. `fault` is at most one of: refuse with 503 (`error`), hold then
 * 504 (`timeout`), or commit and then hang up (`drop_response`); `decline` declines a new charge.
 */
export interface FaultPlan {
  latencyMs: number;
  /** A latency spike: held this long (0: none) and worked on to the end, whether the client waits or not. */
  spikeMs: number;
  fault: 'error' | 'timeout' | 'drop_response' | null;
  decline: boolean;
}

/** The bank's fault switch and dice. Same seed and same sequence of rolls give the same faults. */
export class FaultDice {
  private faults: Faults;
  private next: () => number;

  constructor(private readonly defaultSeed: number) {
    this.faults = { ...faultsInput.parse({}), seed: defaultSeed };
    this.next = mulberry32(defaultSeed);
  }

  get config(): Faults {
    return { ...this.faults };
  }

  /** Replaces the whole config and reseeds the dice (with the bank's seed when none is given). */
  set(input: z.output<typeof faultsInput>): Faults {
    this.faults = { ...input, seed: input.seed ?? this.defaultSeed };
    this.next = mulberry32(this.faults.seed);
    return this.config;
  }

  /**
   * One roll per charge request. It always draws five numbers, whatever the rates and whichever
   * fault the roll picks, so the n-th request after a reseed always sees the same numbers.
   */
  roll(): FaultPlan {
    const [error, timeout, drop, decline, spike] = [
      this.next(),
      this.next(),
      this.next(),
      this.next(),
      this.next(),
    ];
    const f = this.faults;
    let fault: FaultPlan['fault'] = null;
    if (error < f.errorRate) fault = 'error';
    else if (timeout < f.timeoutRate) fault = 'timeout';
    else if (drop < f.dropResponseRate) fault = 'drop_response';
    return {
      latencyMs: f.latencyMs,
      spikeMs: spike < f.spikeRate ? f.spikeMs : 0,
      fault,
      decline: decline < f.declineRate,
    };
  }
}
