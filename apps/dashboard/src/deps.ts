import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { DbHandle, LogRow, LogStatusValue, LogTypeValue } from "@callastar/db";
import type { Producer, QueueName } from "@callastar/queues";
import type { DashboardConfig } from "./config";

/** Filters of the audit logger's getRecentLogs, as the dashboard uses them. */
export interface RecentLogsFilter {
  type?: LogTypeValue;
  status?: LogStatusValue;
  startDate?: Date;
  endDate?: Date;
  limit?: number;
  offset?: number;
  bookingId?: string;
  cronType?: string;
}

/** The spec's statistics shape (rates are strings such as "97.44"). */
export interface LogStatsView {
  totalLogs: number;
  successLogs: number;
  errorLogs: number;
  successRate: string;
  errorRate: string;
  emails: { sent: number; errors: number; successRate: string };
  crons: { runs: number; errors: number; successRate: string };
}

/** Backlog gauges of the audit logger. */
export interface LoggerMetricsView {
  pending: number;
  inFlight: number;
  written: number;
  failedFlushes: number;
  spooled: number;
  replayed: number;
  dropped: number;
  degraded: boolean | number;
}

/** The part of `@callastar/logger`'s AuditLogger the dashboard reads (structural, so any version fits). */
export interface DashboardLogger {
  getRecentLogs(filter?: RecentLogsFilter): Promise<LogRow[]>;
  getLogStats(range?: { startDate?: Date; endDate?: Date }): Promise<LogStatsView>;
  metrics(): LoggerMetricsView;
  close(): Promise<void>;
}

/** Everything createDashboardApp needs; main.ts builds them from the environment, tests build their own. */
export interface DashboardDeps {
  db: Pick<DbHandle, "db" | "sql">;
  logger: DashboardLogger;
  producer: Producer;
  /** A ready Redis connection, used for the PING of /readyz. */
  redis: Redis;
  /** BullMQ key prefix the workers use. */
  prefix: string;
  config: DashboardConfig;
}

/** The BullMQ queue of `name`, through the producer (one Queue object per name per process). */
export type QueueOf = (name: QueueName) => Queue;
