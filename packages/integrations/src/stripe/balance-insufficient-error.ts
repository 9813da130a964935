/**
 * Stripe refused a transfer because the platform's available balance cannot cover it
 * (`balance_insufficient`). It clears by itself once pending funds become available, so it is
 * retryable — but later, and under a new idempotency key: Stripe stores this refusal under the key
 * it was given and replays it to every retry with that key for 24 hours.
 */
export class StripeBalanceInsufficientError extends Error {
  override readonly name = "StripeBalanceInsufficientError";
  readonly retryable = true;
  readonly code = "balance_insufficient";
  readonly status: number | undefined;
  constructor(message: string, options?: { cause?: unknown; status?: number }) {
    super(message, options);
    this.status = options?.status;
  }
}

/** True for Stripe's platform balance shortfall (see StripeBalanceInsufficientError). */
export function isBalanceInsufficient(error: unknown): error is StripeBalanceInsufficientError {
  return error instanceof StripeBalanceInsufficientError;
}
