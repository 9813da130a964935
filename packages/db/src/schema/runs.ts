import { index, integer, text, pgTable, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, ts, updatedAt } from "./columns";
import { cronRunStatusEnum, roomDeletionStatusEnum } from "./enums";

/**
 * One row per cron run (scheduled or manual), keyed by the run's queue and BullMQ job id (id
 * `<queue>:<jobId>`: job ids added without an explicit one are counters per queue): the fact that a
 * run's CRON_RUN / CRON_ERROR row commits with, and what the reconciler checks those rows against.
 * Rows written before the key named the queue have the bare job id as id.
 */
export const cronRun = pgTable(
  "CronRun",
  {
    id: text("id").primaryKey(),
    queue: text("queue"),
    jobId: text("jobId"),
    cronType: text("cronType").notNull(),
    trigger: text("trigger").notNull(),
    status: cronRunStatusEnum("status").notNull().default("RUNNING"),
    itemsProcessed: integer("itemsProcessed"),
    startedAt: ts("startedAt").notNull(),
    finishedAt: ts("finishedAt"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("CronRun_cronType_startedAt_idx").on(t.cronType, t.startedAt),
    index("CronRun_status_idx").on(t.status),
    // The reconciler's window over finished runs.
    index("CronRun_finishedAt_idx").on(t.finishedAt),
    uniqueIndex("CronRun_queue_jobId_key").on(t.queue, t.jobId),
  ],
);

/**
 * One row per Daily room this system set out to delete (id derived from booking and room): written
 * DELETING before the DELETE request, then finished with its DAILY_ROOM_* row in one transaction.
 */
export const dailyRoomDeletion = pgTable(
  "DailyRoomDeletion",
  {
    id: text("id").primaryKey(),
    bookingId: text("bookingId").notNull(),
    roomName: text("roomName").notNull(),
    status: roomDeletionStatusEnum("status").notNull().default("DELETING"),
    deletedBy: text("deletedBy").notNull(),
    failureReason: text("failureReason"),
    /** While DELETING: the attempt that claimed it calls Daily until then; another waits for it or for this to pass. */
    leaseUntil: ts("leaseUntil"),
    /** The job incarnation holding the lease: its own rerun after a crash takes the lease over at once. */
    leasedBy: text("leasedBy"),
    requestedAt: ts("requestedAt").notNull(),
    finishedAt: ts("finishedAt"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("DailyRoomDeletion_bookingId_idx").on(t.bookingId),
    index("DailyRoomDeletion_status_idx").on(t.status),
    // The reconciler's window over finished deletions.
    index("DailyRoomDeletion_finishedAt_idx").on(t.finishedAt),
  ],
);

export type CronRunRow = typeof cronRun.$inferSelect;
export type DailyRoomDeletionRow = typeof dailyRoomDeletion.$inferSelect;
