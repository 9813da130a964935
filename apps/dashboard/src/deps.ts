import type { RedisConnection as Redis } from "@callastar/queues";
import type { DbHandle } from "@callastar/db";
import type { AuditLogger, LogStats, RecentLogsOptions } from "@callastar/audit-log";
import type { Producer } from "@callastar/producer";
import type { ProcessLog } from "@callastar/runtime";
import type { DashboardConfig } from "./config";

/** Filters of the audit logger's getRecentLogs. */
export type RecentLogsFilter = RecentLogsOptions;

/** The spec's statistics shape (rates are strings such as "97.44"). */
export type LogStatsView = LogStats;

/** The part of the audit logger the dashboard reads. */
export type DashboardLogger = Pick<AuditLogger, "getRecentLogs" | "getLogStats" | "metrics" | "close" | "logApiError">;

/** Everything createDashboardApp needs; start.ts builds them from the environment, tests build their own. */
export interface DashboardDeps {
  db: Pick<DbHandle, "db" | "sql">;
  logger: DashboardLogger;
  producer: Producer;
  /** A ready Redis connection, used for the PING of /readyz. */
  redis: Redis;
  /** BullMQ key prefix the workers use. */
  prefix: string;
  config: DashboardConfig;
  /** The process log (refusals, 500s); default: a JSON logger on stdout. */
  log?: ProcessLog;
}

