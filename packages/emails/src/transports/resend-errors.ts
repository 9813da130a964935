import { parseRetryAfter, PermanentError, RateLimitedError, TransientError } from "@callastar/errors";
import type { ProviderRate } from "./types";

/** The `error` member of the resend SDK's `{ data, error, headers }` result. */
export interface ResendSdkError {
  name: string;
  message: string;
  statusCode: number | null;
}

/** Fallback wait when a 429 comes without `retry-after`: Resend's window is one second. */
export const DEFAULT_RETRY_AFTER_MS = 1000;

function header(headers: Record<string, string> | null, name: string): string | undefined {
  if (!headers) return undefined;
  return headers[name] ?? Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
}

/**
 * Maps a Resend error onto the shared taxonomy. The SDK never throws: it reports network failures,
 * timeouts and non-JSON answers as `application_error` (statusCode null for no answer at all), so
 * the name and the status are read together.
 */
export function classifyResendError(
  error: ResendSdkError,
  headers: Record<string, string> | null,
  context: { timedOut?: boolean; timeoutMs?: number } = {},
): PermanentError | TransientError | RateLimitedError {
  const status = error.statusCode ?? undefined;
  const code = error.name;
  const cause = error;
  if (error.statusCode === null) {
    const message = context.timedOut
      ? `Resend did not answer within ${context.timeoutMs ?? "?"} ms`
      : `Resend could not be reached: ${error.message}`;
    return new TransientError(message, { cause, code: context.timedOut ? "timeout" : "network_error" });
  }
  const text = `Resend answered ${error.statusCode} ${code}: ${error.message}`;
  switch (code) {
    case "rate_limit_exceeded":
    case "daily_quota_exceeded": {
      // The SDK hands back the response headers, so the server's own retry-after is honoured.
      const retryAfter = header(headers, "retry-after") ?? header(headers, "ratelimit-reset");
      return new RateLimitedError(text, parseRetryAfter(retryAfter, DEFAULT_RETRY_AFTER_MS), { cause, status: status ?? 429 });
    }
    case "monthly_quota_exceeded":
      return new PermanentError(text, { cause, status, code });
    case "concurrent_idempotent_requests":
      // The first request with this key is still running: asking again shortly gets its answer.
      return new TransientError(text, { cause, status, code });
    case "invalid_idempotent_request":
      // Same key, different body: retrying the same call can never succeed.
      return new PermanentError(text, { cause, status, code });
  }
  if (error.statusCode === 429) {
    return new RateLimitedError(text, parseRetryAfter(header(headers, "retry-after"), DEFAULT_RETRY_AFTER_MS), { cause, status: 429 });
  }
  if (error.statusCode >= 500 || error.statusCode === 408) return new TransientError(text, { cause, status, code });
  return new PermanentError(text, { cause, status, code });
}

/** The provider's `ratelimit-limit/remaining/reset` headers, when it sent all three as numbers. */
export function providerRate(headers: Record<string, string> | null): ProviderRate | undefined {
  const [limit, remaining, reset] = ["ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"].map((name) => Number(header(headers, name) ?? NaN));
  if (!Number.isFinite(limit) || !Number.isFinite(remaining) || !Number.isFinite(reset)) return undefined;
  return { limit: limit!, remaining: remaining!, resetMs: reset! * 1000 };
}
