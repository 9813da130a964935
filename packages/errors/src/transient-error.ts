/** A failure worth retrying with backoff: 5xx, timeouts, dropped connections. */
export class TransientError extends Error {
  override readonly name = "TransientError";
  readonly retryable = true;
  constructor(message: string, options?: { cause?: unknown; status?: number; code?: string }) {
    super(message, options);
    this.status = options?.status;
    this.code = options?.code;
  }
  readonly status: number | undefined;
  readonly code: string | undefined;
}
