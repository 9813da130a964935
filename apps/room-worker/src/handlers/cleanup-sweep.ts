import type { Job } from "bullmq";
import { jobIds } from "@callastar/queues";
import { fanOut, type CronOutcome, type FanOutChild, type WorkerContext } from "@callastar/runtime";
import { PermanentError } from "@callastar/errors";
import { INVALID_ROOM_NAME } from "@callastar/integrations/daily";
import { auditRows } from "@callastar/audit-log";
import { deletionIdFor, refuseDeletion, roomAuditIds } from "../deletion-record";
import { findRoomsToDelete } from "../room-query";

// Names BullMQ and Daily both accept (a ":" in a job id would make the whole flow fail).
const VALID_ROOM_NAME = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * One cleanup-daily-rooms run: every COMPLETED or CANCELLED booking that still has a room gets a
 * `delete-room` child (deterministic id, so a room already in flight is left alone) under a
 * `rooms-summary` parent, which writes the run's CRON_RUN once every deletion has finished.
 */
export async function sweepDailyRooms(ctx: WorkerContext, run: Job, progress: Record<string, unknown>): Promise<CronOutcome> {
  const rows = await findRoomsToDelete(ctx.db);
  progress.totalBookings = rows.length;
  const children: FanOutChild<"delete-room">[] = [];
  let invalidRoomNames = 0;
  for (const row of rows) {
    const roomName = row.roomName ?? "";
    if (!VALID_ROOM_NAME.test(roomName)) {
      invalidRoomNames++;
      await refuseInvalidName(ctx, run, row.bookingId, roomName, row.status);
      continue;
    }
    children.push({ name: "delete-room", jobId: jobIds.room(roomName), data: { bookingId: row.bookingId, roomName, deletedBy: "cron_job" } });
  }
  const nothing = { totalBookings: rows.length, roomsDeleted: 0, roomsAlreadyDeleted: 0, roomsFailed: invalidRoomNames, alreadyScheduled: 0 };
  if (children.length === 0) return { itemsProcessed: invalidRoomNames, context: nothing };

  const result = await fanOut(ctx, run, {
    queue: "rooms",
    cronType: "cleanup-daily-rooms",
    summaryJob: "rooms-summary",
    children,
    counts: { totalBookings: rows.length, invalidRoomNames },
  });
  progress.roomsEnqueued = result.enqueued;
  progress.alreadyScheduled = result.alreadyScheduled;
  if (result.deferred) return { itemsProcessed: 0, context: {}, deferred: true };
  // Every room is already being deleted by an earlier run: nothing of ours to wait for.
  return { itemsProcessed: invalidRoomNames, context: { ...nothing, alreadyScheduled: result.alreadyScheduled } };
}

/**
 * A name Daily's rule forbids can never be deleted through its API (nor be a job id): it is marked
 * REFUSED with its one final DAILY_ROOM_ERROR row, and later sweeps leave the booking out.
 */
async function refuseInvalidName(ctx: WorkerContext, run: Job, bookingId: string, roomName: string, bookingStatus: string): Promise<void> {
  const deletion = { id: deletionIdFor(bookingId, roomName), bookingId, roomName, deletedBy: "cron_job" };
  const error = new PermanentError(`Daily room name '${roomName}' is not a valid room name ([A-Za-z0-9_-], 1 to 128 characters)`, { code: INVALID_ROOM_NAME });
  const row = auditRows.logDailyRoomError(roomName, bookingId, error, {
    operation: "delete",
    bookingStatus,
    deletedBy: "cron_job",
    deletionId: deletion.id,
    jobId: run.id,
    jobName: run.name,
    attempt: run.attemptsMade + 1,
    attempts: run.opts.attempts ?? 1,
    errorType: error.name,
    final: true,
  });
  await refuseDeletion(ctx.db.sql, deletion, error.message, { ...row, id: roomAuditIds.refused(deletion.id) });
}
