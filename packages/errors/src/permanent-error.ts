/** A failure that retrying cannot fix: a 4xx answer, a malformed payload, an entity that is gone. */
export class PermanentError extends Error {
  override readonly name = "PermanentError";
  readonly retryable = false;
  constructor(message: string, options?: { cause?: unknown; status?: number; code?: string }) {
    super(message, options);
    this.status = options?.status;
    this.code = options?.code;
  }
  readonly status: number | undefined;
  readonly code: string | undefined;
}
