// The logger's own voice: every problem goes to stderr (always) and to the owner's onError hook.
// Rows that leave the logger's custody without reaching PostgreSQL or the spool are printed in
// full, one JSON line each, so the audit trail survives in the process output at worst.
import { AuditLoggerError, type AuditLoggerErrorKind } from "./audit-logger-error";
import type { StoredRow } from "./write/row";

const PREFIX = "[@callastar/logger]";

/** Where the logger reports; `onError` must not throw (if it does, the throw is swallowed). */
export interface Reporter {
  error(kind: AuditLoggerErrorKind, message: string, options?: { cause?: unknown; rows?: readonly StoredRow[]; printRows?: boolean }): void;
  info(message: string): void;
}

/** Creates the reporter; `stderr` is injectable only so a test can read what an operator would see. */
export function createReporter(
  onError: ((error: AuditLoggerError) => void) | undefined,
  stderr: (text: string) => void = (text) => process.stderr.write(text),
): Reporter {
  return {
    error(kind, message, options = {}) {
      const error = new AuditLoggerError(kind, message, options);
      const cause = options.cause instanceof Error ? `: ${options.cause.message}` : options.cause ? `: ${String(options.cause)}` : "";
      let text = `${PREFIX} ${kind}: ${message}${cause}\n`;
      if (options.printRows) for (const row of options.rows ?? []) text += `${PREFIX} ${kind} row ${JSON.stringify(row)}\n`;
      try {
        stderr(text);
      } catch {
        // stderr closed: onError below is the remaining channel.
      }
      try {
        onError?.(error);
      } catch {
        // A faulty hook must not break logging.
      }
    },
    info(message) {
      try {
        stderr(`${PREFIX} ${message}\n`);
      } catch {
        // ignore: informational only
      }
    },
  };
}
