import { PermanentError } from "./permanent-error";
import { RateLimitedError } from "./rate-limited-error";
import { TransientError } from "./transient-error";

/** Parses a `retry-after` header (seconds or HTTP date) into milliseconds; `fallbackMs` when absent. */
export function parseRetryAfter(value: string | null | undefined, fallbackMs = 1000, now = Date.now()): number {
  if (!value) return fallbackMs;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds * 1000));
  const date = Date.parse(value);
  return Number.isNaN(date) ? fallbackMs : Math.max(0, date - now);
}

/** Maps an HTTP status to the error taxonomy: 429 rate-limited, 408/409/425/5xx transient, other 4xx permanent. */
export function errorForStatus(
  service: string,
  status: number,
  message: string,
  retryAfter?: string | null,
  cause?: unknown,
): PermanentError | TransientError | RateLimitedError {
  const text = `${service} answered ${status}: ${message}`;
  if (status === 429) return new RateLimitedError(text, parseRetryAfter(retryAfter), { cause, status });
  if (status >= 500 || status === 408 || status === 409 || status === 425) {
    return new TransientError(text, { cause, status });
  }
  return new PermanentError(text, { cause, status });
}

/** True when an error (or anything thrown) says retrying cannot help. */
export function isPermanent(error: unknown): boolean {
  return error instanceof Error && (error as { retryable?: unknown }).retryable === false;
}
