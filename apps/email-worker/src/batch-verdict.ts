// What a failed batch request means for its emails. The rule that matters: an email that may have
// been delivered is never recorded as a final failure.
import { PermanentError, RateLimitedError } from "@callastar/errors";

/** Resend keeps an idempotency key (and replays its answer) for 24 hours. */
const RESEND_REPLAY_WINDOW_MS = 24 * 3600_000;
/** Past this age a retry might no longer be answered from Resend's replay cache, and could deliver again. */
export const REPLAY_SAFE_MS = RESEND_REPLAY_WINDOW_MS - 3600_000;

export type Verdict =
  /** Resend sent nothing (429): the same request goes again after `waitMs`, no attempt spent. */
  | { kind: "wait"; waitMs: number }
  /** Try the same request again later; this attempt is counted and audited (not final). */
  | { kind: "retry" }
  /** Resend refused the request and nothing of it can have been delivered: each email fails for good. */
  | { kind: "final" }
  /** Retrying can no longer tell whether the emails went out: they stay "unknown", for an operator. */
  | { kind: "unknown"; reason: string };

/**
 * Judges a failed request. `maybeSent`: an earlier request with this key may have reached Resend
 * (an attempt failed without an answer, or the batch was taken over after being attempted) — then
 * a refusal is not proof that nothing was delivered, and the same request is retried instead, as
 * Resend answers an accepted key from its replay cache.
 */
export function judgeFailure(error: unknown, maybeSent: boolean): Verdict {
  if (error instanceof RateLimitedError) return { kind: "wait", waitMs: error.retryAfterMs };
  if (error instanceof PermanentError) {
    // The key was used with another body: with bodies stored at the first send this cannot happen,
    // and if it does, what that other body delivered is unknowable from here.
    if (error.code === "invalid_idempotent_request") return { kind: "unknown", reason: "Resend refused the key as used with another body (409 invalid_idempotent_request)" };
    return maybeSent ? { kind: "retry" } : { kind: "final" };
  }
  // Transient failures (5xx, timeouts, an unreadable answer, 409 concurrent_idempotent_requests)
  // and anything unexpected: the same request again, with backoff.
  return { kind: "retry" };
}
