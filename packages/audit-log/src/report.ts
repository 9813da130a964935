// The logger's own voice: every problem goes to the process log (always) and to the owner's onError
// hook. Rows that leave the logger's custody without reaching PostgreSQL or the spool are logged in
// full, one line each, so the audit trail survives in the process output at worst.
import { fallbackLogSink, type LogSink } from "@callastar/process-log/sink";
import { AuditLoggerError, type AuditLoggerErrorKind } from "./audit-logger-error";
import type { StoredRow } from "./write/row";

/** Where the logger reports; `onError` must not throw (if it does, the throw is swallowed). */
export interface Reporter {
  error(kind: AuditLoggerErrorKind, message: string, options?: { cause?: unknown; rows?: readonly StoredRow[]; printRows?: boolean }): void;
  info(message: string): void;
}

/** Creates the reporter, writing to `log` (the app's process log; a JSON logger on stdout by default). */
export function createReporter(onError: ((error: AuditLoggerError) => void) | undefined, processLog?: LogSink): Reporter {
  const log = () => (processLog ?? fallbackLogSink()).child({ component: "audit-logger" });
  return {
    error(kind, message, options = {}) {
      const error = new AuditLoggerError(kind, message, options);
      try {
        const out = log();
        out.error({ kind, ...(options.cause !== undefined ? { err: options.cause } : {}) }, `${kind}: ${message}`);
        if (options.printRows) for (const row of options.rows ?? []) out.error({ kind, row }, `${kind}: audit row not written`);
      } catch {
        // stdout closed: onError below is the remaining channel.
      }
      try {
        onError?.(error);
      } catch {
        // A faulty hook must not break logging.
      }
    },
    info(message) {
      try {
        log().info({}, message);
      } catch {
        // ignore: informational only
      }
    },
  };
}
