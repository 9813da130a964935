/** When a payout that could not be paid now is tried again. */
export interface PayoutRetryPolicy {
  /** Delay after the first Stripe balance shortfall; doubles with each one, up to balanceMaxDelayMs. */
  balanceDelayMs: number;
  balanceMaxDelayMs: number;
  /** Shortfalls put off this way; the next one marks the payout FAILED. */
  balanceRetryLimit: number;
  /** A payout whose job failed for good on errors (Stripe down, key refused) waits this long before a new job. */
  afterFailureMs: number;
}

/** Delay before the attempt that follows the `shortfall`-th balance refusal (1-based). */
export function balanceRetryDelayMs(shortfall: number, policy: PayoutRetryPolicy): number {
  // 2 ** 40 ms is ~35 years: the cap always wins long before the exponent can overflow.
  return Math.min(policy.balanceDelayMs * 2 ** Math.min(shortfall - 1, 40), policy.balanceMaxDelayMs);
}
