// Retention: delete in bounded batches, each its own short statement (and transaction), so a
// 90-day purge never holds long locks on "Log" nor one giant transition table for the stats trigger.
import { inArray, lt } from "drizzle-orm";
import { log, type Db } from "@callastar/db";

/** What cleanupOldLogsDetailed removed. */
export interface CleanupResult {
  deleted: number;
  successDeleted: number;
  errorDeleted: number;
  /** DELETE statements that removed at least one row. */
  batches: number;
}

/** Options of cleanupOldLogsDetailed. */
export interface CleanupOptions {
  /** Rows per DELETE statement (default 5000). */
  batchSize?: number;
  /** Reference time (default now); rows older than `now - days` go. */
  now?: Date;
}

const DAY = 86_400_000;

/** Deletes rows whose createdAt is older than `days` days, oldest first, in bounded batches. */
export async function cleanupOldLogsDetailed(db: Db, days: number, options: CleanupOptions = {}): Promise<CleanupResult> {
  if (typeof days !== "number" || !Number.isFinite(days) || days < 0) {
    throw new RangeError(`cleanupOldLogs: days must be a non-negative number (got ${String(days)})`);
  }
  const batchSize = options.batchSize ?? 5000;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000) {
    throw new RangeError(`cleanupOldLogs: batchSize must be an integer in 1..100000 (got ${String(batchSize)})`);
  }
  const cutoff = new Date((options.now ?? new Date()).getTime() - days * DAY);
  const result: CleanupResult = { deleted: 0, successDeleted: 0, errorDeleted: 0, batches: 0 };
  for (;;) {
    const oldest = db.select({ id: log.id }).from(log).where(lt(log.createdAt, cutoff)).orderBy(log.createdAt).limit(batchSize);
    const gone = await db.delete(log).where(inArray(log.id, oldest)).returning({ status: log.status });
    if (gone.length === 0) break;
    result.batches++;
    result.deleted += gone.length;
    for (const row of gone) {
      if (row.status === "SUCCESS") result.successDeleted++;
      else result.errorDeleted++;
    }
    if (gone.length < batchSize) break;
  }
  return result;
}
