/** Input that does not match its schema; `issues` names each offending field by its path. */
export class ValidationError extends Error {
  override readonly name = "ValidationError";
  readonly retryable = false;
  constructor(
    readonly subject: string,
    readonly issues: ReadonlyArray<{ path: string; message: string }>,
    options?: { cause?: unknown },
  ) {
    super(`Invalid ${subject}: ${issues.map((i) => `${i.path || "(root)"}: ${i.message}`).join("; ")}`, options);
  }
}
