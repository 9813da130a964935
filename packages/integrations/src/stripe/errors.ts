import { PermanentError, RateLimitedError, TransientError } from "@callastar/errors";
import type Stripe from "stripe";
import { StripeBalanceInsufficientError } from "./balance-insufficient-error";

/**
 * Maps what the stripe SDK throws to the taxonomy. By the time an error gets here the SDK has
 * already retried what it retries (connection errors, 409, 5xx) with the same idempotency key.
 * - 429 rate limit → RateLimitedError (the SDK never retries 429 itself)
 * - connection errors, timeouts, 5xx, 409 → TransientError
 * - balance_insufficient (a platform shortfall that clears by itself) → StripeBalanceInsufficientError
 * - card, invalid request (resource_missing…), idempotency, auth, permission → PermanentError
 * Stripe's code (or error type) and message are kept; the SDK error is the `cause`.
 */
export function toTaxonomyError(operation: string, error: unknown, sdkErrors: typeof Stripe.errors): unknown {
  // The SDK's classes come from the caller, which loaded the SDK: this module must not load it.
  const { StripeError, StripeRateLimitError, StripeConnectionError, StripeAPIError } = sdkErrors;
  if (!(error instanceof StripeError)) return error;
  const status = error.statusCode;
  const code = error.code ?? error.rawType ?? error.type;
  const head = [status, code].filter((part) => part !== undefined && part !== "").join(" ");
  const message = `Stripe ${operation} failed${head ? ` (${head})` : ""}: ${error.message}`;
  if (error instanceof StripeRateLimitError) {
    return new RateLimitedError(message, retryAfterMs(error.headers), { cause: error, status: status ?? 429 });
  }
  if (code === "balance_insufficient") return new StripeBalanceInsufficientError(message, { cause: error, status });
  if (error instanceof StripeConnectionError) return new TransientError(message, { cause: error, code: "connection_error" });
  if (error instanceof StripeAPIError || (status !== undefined && (status >= 500 || status === 409))) {
    return new TransientError(message, { cause: error, status, code });
  }
  return new PermanentError(message, { cause: error, status, code });
}

function retryAfterMs(headers: Record<string, string> | undefined): number {
  const seconds = Number(headers?.["retry-after"]);
  // Stripe rarely sends Retry-After on 429; a second is its own suggested starting backoff.
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 1000;
}
