/** The remote service asked us to slow down (429); wait `retryAfterMs` without spending an attempt. */
export class RateLimitedError extends Error {
  override readonly name = "RateLimitedError";
  readonly retryable = true;
  constructor(
    message: string,
    readonly retryAfterMs: number,
    options?: { cause?: unknown; status?: number },
  ) {
    super(message, options);
    this.status = options?.status ?? 429;
  }
  readonly status: number;
}
