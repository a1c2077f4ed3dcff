import type { Config } from '../config.ts';
import { limitIn } from '../money/currencies.ts';

/** Why a payout was held for review; stored with the hold (payout_holds.reason). */
export const HOLD_REASONS = ['velocity_count', 'velocity_amount', 'amount_anomaly'] as const;
export type HoldReason = (typeof HOLD_REASONS)[number];

/** The fraud rules, per user and currency (their reasons are next to the variables in config-security.ts). */
export interface FraudRules {
  windowMs: number;
  maxPayouts: number;
  /** In minor units of a 2-decimal currency: scaled per currency by limitIn(). */
  maxAmount: number;
  /** 0: the anomaly rule is off. */
  anomalyFactor: number;
  anomalyMinSamples: number;
}

/** Admitted amounts the anomaly rule keeps per user and currency: the median of the last 20 payouts. */
export const HISTORY_LENGTH = 20;
/** A user silent this long starts over: no median, no rule, until they have paid out again. */
export const HISTORY_TTL_MS = 30 * 86_400_000;

export function fraudRulesFrom(config: Config): FraudRules {
  return {
    windowMs: config.FRAUD_WINDOW_MS,
    maxPayouts: config.FRAUD_MAX_PAYOUTS,
    maxAmount: config.FRAUD_MAX_AMOUNT,
    anomalyFactor: config.FRAUD_ANOMALY_FACTOR,
    anomalyMinSamples: config.FRAUD_ANOMALY_MIN_SAMPLES,
  };
}

/** What a user's window holds before this payout: admitted payouts and their sum, recent amounts. */
export interface WindowState {
  count: number;
  sum: number;
  /** Recent admitted amounts, newest first, at most HISTORY_LENGTH. */
  history: number[];
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * The rules in order: too many payouts in the window, too much money in it, an amount far above the
 * user's usual. The same decision velocity-3.lua makes inside Redis, for deciding outside it (the
 * in-process fallback).
 */
export function judge(
  state: WindowState,
  payout: { amount: number; currency: string },
  rules: FraudRules,
): HoldReason | null {
  if (state.count + 1 > rules.maxPayouts) return 'velocity_count';
  if (state.sum + payout.amount > limitIn(payout.currency, rules.maxAmount)) return 'velocity_amount';
  const usual = state.history.length >= rules.anomalyMinSamples ? median(state.history) : null;
  if (rules.anomalyFactor > 0 && usual !== null && payout.amount > rules.anomalyFactor * usual)
    return 'amount_anomaly';
  return null;
}

/**
 * Limits so wide that no rule ever holds a payout, while every payout still runs the check (so its cost
 * and its Redis-down fallback stay in play): for test and scenario workloads that are not about fraud,
 * which pay out thousands of times from a handful of accounts.
 */
export const FRAUD_RULES_WIDE_OPEN: Readonly<Record<string, string>> = {
  FRAUD_MAX_PAYOUTS: String(1e9),
  FRAUD_MAX_AMOUNT: String(1e15),
  FRAUD_ANOMALY_FACTOR: '0',
};
