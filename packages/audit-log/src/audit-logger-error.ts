import type { StoredRow } from "./write/row";

/** What went wrong: held rows (unavailable), a refused row, rows that could not be kept, spool trouble. */
export type AuditLoggerErrorKind =
  | "unavailable"
  | "buffer-full"
  | "row-rejected"
  | "rows-dropped"
  | "spool-failed"
  | "spool-corrupt-line"
  | "replay-failed"
  | "closed";

/** Reported through `onError` (and always to the process log): the logger itself never throws into callers. */
export class AuditLoggerError extends Error {
  override readonly name = "AuditLoggerError";
  /** The rows concerned, in full, so an operator can recover them from the report alone. */
  readonly rows: readonly StoredRow[];

  constructor(
    readonly kind: AuditLoggerErrorKind,
    message: string,
    options: { cause?: unknown; rows?: readonly StoredRow[] } = {},
  ) {
    super(message, { cause: options.cause });
    this.rows = options.rows ?? [];
  }
}
