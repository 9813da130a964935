import { and, desc, eq, gte, lte, sql, type SQL } from "drizzle-orm";
import { log, type Db, type LogRow } from "@callastar/db";
import type { LogStatus, LogType } from "../log-types";

/** Filters of getRecentLogs; every one optional. */
export interface RecentLogsOptions {
  type?: LogType;
  status?: LogStatus;
  startDate?: Date;
  endDate?: Date;
  /** Default 100, at most 1000. */
  limit?: number;
  offset?: number;
  /** Matches `context->>'bookingId'`. */
  bookingId?: string;
  /** Matches `context->>'cronType'`. */
  cronType?: string;
}

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

/** Clamps a caller's limit to 1..1000 (default 100); a nonsensical value means the default. */
export function clampLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_LIMIT;
  return Math.min(MAX_LIMIT, Math.max(1, Math.trunc(limit)));
}

/** Logs matching the filters, newest first (ties broken by id so pages are stable). */
export async function getRecentLogs(db: Db, options: RecentLogsOptions = {}): Promise<LogRow[]> {
  const where: SQL[] = [];
  if (options.type) where.push(eq(log.type, options.type));
  if (options.status) where.push(eq(log.status, options.status));
  if (options.startDate) where.push(gte(log.createdAt, options.startDate));
  if (options.endDate) where.push(lte(log.createdAt, options.endDate));
  if (options.bookingId !== undefined) where.push(sql`${log.context}->>'bookingId' = ${options.bookingId}`);
  if (options.cronType !== undefined) where.push(sql`${log.context}->>'cronType' = ${options.cronType}`);
  const offset = Math.max(0, Math.trunc(Number.isFinite(options.offset) ? (options.offset as number) : 0));
  return db
    .select()
    .from(log)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(log.createdAt), desc(log.id))
    .limit(clampLimit(options.limit))
    .offset(offset);
}
