/** @callastar/audit-log — the spec's audit-logging API on drizzle, with group commit and outage handling. */
export { LogType, LogStatus, type LogContext } from "./log-types";
export {
  createAuditLogger,
  defaultSpoolDir,
  type AuditLogger,
  type AuditLoggerOptions,
  type AuditLoggerMetrics,
} from "./audit-logger";
export { AuditLoggerError, type AuditLoggerErrorKind } from "./audit-logger-error";
export type { AuditLogFunctions } from "./spec-functions";
export type { RecentLogsOptions } from "./queries/recent-logs";
export type { LogStats, LogStatsRange } from "./queries/log-stats";
export type { CleanupOptions, CleanupResult } from "./queries/cleanup";
export type { StoredRow } from "./write/row";
export { INSERT_LOG_ROWS } from "./write/insert-statement";
export { getDefaultAuditLogger, setDefaultAuditLogger, closeDefaultAuditLogger } from "./default-logger";
export * from "./module-api";
export { auditRows, type AuditRowBuilders } from "./rows-in-statement";
export { insertRowsAfter, rowParameters, ROW_PARAMETER_COUNT, type RowColumnsSql } from "./write/insert-statement";
export type { LogFunctions } from "./spec-functions";
export { DEFAULT_SPOOL_LEASE_MS, MIN_SPOOL_LEASE_MS } from "./env";
