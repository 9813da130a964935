/** Parses a `retry-after` header (seconds or HTTP date) into milliseconds; `fallbackMs` when absent. */
export function parseRetryAfter(value: string | null | undefined, fallbackMs = 1000, now = Date.now()): number {
  if (!value) return fallbackMs;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds * 1000));
  const date = Date.parse(value);
  return Number.isNaN(date) ? fallbackMs : Math.max(0, date - now);
}

/** True when an error (or anything thrown) says retrying cannot help. */
export function isPermanent(error: unknown): boolean {
  return error instanceof Error && (error as { retryable?: unknown }).retryable === false;
}
