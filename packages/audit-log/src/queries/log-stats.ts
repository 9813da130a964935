// getLogStats stays fast at 10M rows: whole hours come from LogHourlyStat (kept exact by triggers,
// see drizzle/0001_log_hourly_stats.sql); only the partial hours at both edges of the range are
// counted from "Log" itself, through the createdAt index. The result is exact, never estimated.
import { and, count, gte, lt, lte, sql, type SQL } from "drizzle-orm";
import { log, logHourlyStat, type Db } from "@callastar/db";

/** Range of getLogStats; both ends inclusive, both optional (all time). */
export interface LogStatsRange {
  startDate?: Date;
  endDate?: Date;
}

/** The spec's statistics shape; rates are percentages with two decimals ("0.00" when empty). */
export interface LogStats {
  totalLogs: number;
  successLogs: number;
  errorLogs: number;
  successRate: string;
  errorRate: string;
  emails: { sent: number; errors: number; successRate: string };
  crons: { runs: number; errors: number; successRate: string };
}

const HOUR = 3_600_000;
type Counts = { type: string; status: string; n: number | string }[];

/** `part / whole` as a percentage string with two decimals; "0.00" when whole is 0. */
export function rate(part: number, whole: number): string {
  return whole > 0 ? ((part / whole) * 100).toFixed(2) : "0.00";
}

/** Builds the spec's stats object from (type, status, count) triples. */
export function statsFromCounts(rows: Counts): LogStats {
  let total = 0;
  let success = 0;
  const byType = new Map<string, number>();
  for (const row of rows) {
    const n = Number(row.n);
    total += n;
    if (row.status === "SUCCESS") success += n;
    byType.set(row.type, (byType.get(row.type) ?? 0) + n);
  }
  const errors = total - success;
  const sent = byType.get("EMAIL_SENT") ?? 0;
  const emailErrors = byType.get("EMAIL_ERROR") ?? 0;
  const runs = byType.get("CRON_RUN") ?? 0;
  const cronErrors = byType.get("CRON_ERROR") ?? 0;
  return {
    totalLogs: total,
    successLogs: success,
    errorLogs: errors,
    successRate: rate(success, total),
    errorRate: rate(errors, total),
    emails: { sent, errors: emailErrors, successRate: rate(sent, sent + emailErrors) },
    crons: { runs, errors: cronErrors, successRate: rate(runs, runs + cronErrors) },
  };
}

function checkDate(name: string, d: Date | undefined): void {
  if (d !== undefined && (!(d instanceof Date) || Number.isNaN(d.getTime()))) {
    throw new RangeError(`getLogStats: ${name} is not a valid Date`);
  }
}

/** Exact counts for the range, in the spec's shape. */
export async function getLogStats(db: Db, range: LogStatsRange = {}): Promise<LogStats> {
  const { startDate: start, endDate: end } = range;
  checkDate("startDate", start);
  checkDate("endDate", end);
  if (start && end && start.getTime() > end.getTime()) return statsFromCounts([]);
  const fullFrom = start ? new Date(Math.ceil(start.getTime() / HOUR) * HOUR) : undefined;
  const fullTo = end ? new Date(Math.floor(end.getTime() / HOUR) * HOUR) : undefined;

  if (fullFrom && fullTo && fullFrom.getTime() >= fullTo.getTime()) {
    return statsFromCounts(await countLog(db, [gte(log.createdAt, start!), lte(log.createdAt, end!)]));
  }
  const parts: Promise<Counts>[] = [sumHours(db, fullFrom, fullTo)];
  if (start && fullFrom && start.getTime() < fullFrom.getTime()) {
    parts.push(countLog(db, [gte(log.createdAt, start), lt(log.createdAt, fullFrom)]));
  }
  if (end && fullTo) parts.push(countLog(db, [gte(log.createdAt, fullTo), lte(log.createdAt, end)]));
  return statsFromCounts((await Promise.all(parts)).flat());
}

function sumHours(db: Db, from: Date | undefined, to: Date | undefined): Promise<Counts> {
  const where: SQL[] = [];
  if (from) where.push(gte(logHourlyStat.hour, from));
  if (to) where.push(lt(logHourlyStat.hour, to));
  return db
    .select({ type: logHourlyStat.type, status: logHourlyStat.status, n: sql<string>`sum(${logHourlyStat.count})` })
    .from(logHourlyStat)
    .where(where.length ? and(...where) : undefined)
    .groupBy(logHourlyStat.type, logHourlyStat.status);
}

function countLog(db: Db, where: SQL[]): Promise<Counts> {
  return db
    .select({ type: log.type, status: log.status, n: count() })
    .from(log)
    .where(and(...where))
    .groupBy(log.type, log.status);
}
