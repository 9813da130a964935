// Module-level functions bound to the default instance. Log functions never throw: if the default
// instance cannot even be created (no DATABASE_URL), the row is printed to stderr with the reason.
import type { AuditLogger } from "./audit-logger";
import { closeDefaultAuditLogger, flushDefaultAuditLogger, getDefaultAuditLogger } from "./default-logger";
import type { AuditLogFunctions } from "./spec-functions";

type LogFn = keyof AuditLogFunctions;

function logVia<K extends LogFn>(name: K): AuditLogFunctions[K] {
  const fn = (...args: unknown[]): Promise<void> => {
    let logger: AuditLogger;
    try {
      logger = getDefaultAuditLogger();
    } catch (error) {
      const detail = safeJson(args);
      process.stderr.write(`[@callastar/audit-log] rows-dropped: ${name} not written (${String(error)}): ${detail}\n`);
      return Promise.resolve();
    }
    return (logger[name] as (...a: unknown[]) => Promise<void>)(...args);
  };
  return fn;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v instanceof Error ? v.stack : v));
  } catch {
    return String(value);
  }
}

// One per spec function; each resolves once its row is committed (or held), and never rejects.
/** Spec `logEmailSent` on the default instance. */
export const logEmailSent = logVia("logEmailSent");
/** Spec `logEmailError` on the default instance. */
export const logEmailError = logVia("logEmailError");
/** Spec `logCronRun` on the default instance. */
export const logCronRun = logVia("logCronRun");
/** Spec `logCronError` on the default instance. */
export const logCronError = logVia("logCronError");
/** Spec `logDailyRoomDeleted` on the default instance. */
export const logDailyRoomDeleted = logVia("logDailyRoomDeleted");
/** Spec `logDailyRoomError` on the default instance. */
export const logDailyRoomError = logVia("logDailyRoomError");
/** Spec `logDailyRoomCreated` on the default instance. */
export const logDailyRoomCreated = logVia("logDailyRoomCreated");
/** Spec `logBookingCreated` on the default instance. */
export const logBookingCreated = logVia("logBookingCreated");
/** Spec `logBookingError` on the default instance. */
export const logBookingError = logVia("logBookingError");
/** Spec `logPaymentSuccess` on the default instance. */
export const logPaymentSuccess = logVia("logPaymentSuccess");
/** Spec `logPaymentError` on the default instance. */
export const logPaymentError = logVia("logPaymentError");
/** Spec `logPaymentRefund` on the default instance. */
export const logPaymentRefund = logVia("logPaymentRefund");
/** Spec `logPayoutSuccess` on the default instance. */
export const logPayoutSuccess = logVia("logPayoutSuccess");
/** Spec `logPayoutError` on the default instance. */
export const logPayoutError = logVia("logPayoutError");
/** Spec `logStripeWebhook` on the default instance. */
export const logStripeWebhook = logVia("logStripeWebhook");
/** Spec `logStripeWebhookError` on the default instance. */
export const logStripeWebhookError = logVia("logStripeWebhookError");
/** Spec `logNotificationSent` on the default instance. */
export const logNotificationSent = logVia("logNotificationSent");
/** Spec `logNotificationError` on the default instance. */
export const logNotificationError = logVia("logNotificationError");
/** Spec `logSystemError` on the default instance. */
export const logSystemError = logVia("logSystemError");
/** Spec `logApiError` on the default instance. */
export const logApiError = logVia("logApiError");
/** Spec `logSuccess` on the default instance. */
export const logSuccess = logVia("logSuccess");
/** Spec `logError` on the default instance. */
export const logError = logVia("logError");

/** Flushes the default instance: true once every row so far is committed or spooled, false after `timeoutMs`. */
export const flush: (timeoutMs?: number) => Promise<boolean> = flushDefaultAuditLogger;
/** Closes the default instance (flushing it first) and its pool; the next log call opens a new one. */
export const close: () => Promise<void> = closeDefaultAuditLogger;

/** Recent logs through the default instance (throws on a database error, like any query). */
export const getRecentLogs: AuditLogger["getRecentLogs"] = async (options) => getDefaultAuditLogger().getRecentLogs(options);
/** Stats through the default instance. */
export const getLogStats: AuditLogger["getLogStats"] = async (range) => getDefaultAuditLogger().getLogStats(range);
/** Retention through the default instance; returns the number of rows deleted. */
export const cleanupOldLogs: AuditLogger["cleanupOldLogs"] = async (days) => getDefaultAuditLogger().cleanupOldLogs(days);
/** Retention with details through the default instance. */
export const cleanupOldLogsDetailed: AuditLogger["cleanupOldLogsDetailed"] = async (days, options) =>
  getDefaultAuditLogger().cleanupOldLogsDetailed(days, options);
