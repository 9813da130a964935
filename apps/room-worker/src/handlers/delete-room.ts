import type { Job } from "bullmq";
import type { DbHandle } from "@callastar/db";
import { markAudited } from "@callastar/errors";
import { isRoomNameRefused, type DailyClient } from "@callastar/integrations/daily";
import { auditRows, type AuditLogger, type StoredRow } from "@callastar/audit-log";
import { decideRetry, waitsOutDatabaseOutage, type DeleteRoomPayload } from "@callastar/queues";
import { attemptFailureLogId, finalFailureLogId, type RateLimiter } from "@callastar/runtime";
import {
  deletionIdFor,
  findLatestDeletion,
  finishDeletion,
  insertAuditRowOnce,
  leaseDeletion,
  refuseDeletion,
  releaseLease,
  roomAuditIds,
  withLockedDeletion,
  type RoomDeletion,
} from "../deletion-record";
import { FINISHED_STATUSES, loadBookingRoom } from "../room-query";

/** What a room deletion needs: the database, the audit log, Daily and the shared DELETE limiter. */
export interface DeleteRoomDeps {
  db: DbHandle;
  logger: AuditLogger;
  daily: Pick<DailyClient, "checkDailyRoomExists" | "deleteRoom">;
  /** Shared by every copy of the worker: Daily allows about 2 DELETE /rooms per second. */
  deleteLimiter: RateLimiter;
  /**
   * How long an attempt holds a deletion while it calls Daily (longer than Daily's timeout); another
   * copy of the same deletion waits at most this long, then fails its attempt (retried later).
   */
  leaseMs: number;
}

/** What one deletion reports to its cron run's summary. */
export interface DeleteRoomOutcome {
  status: "deleted" | "already_deleted" | "skipped" | "refused";
  roomName: string;
  bookingId: string;
  /** Why nothing was called: the booking no longer references the room, or its call is not over. */
  reason?: "room_cleared" | "booking_not_found" | "booking_not_finished";
}

type JobInfo = Pick<Job, "id" | "name" | "attemptsMade" | "opts" | "queueName" | "timestamp">;
type Booking = Awaited<ReturnType<typeof loadBookingRoom>>;

/**
 * Deletes one booking's Daily room. A deletion already finished only gets its audit row if it lacks
 * one. Otherwise: re-reads the booking (a room it no longer references is not touched), checks the
 * room on Daily, leases the deletion (DELETING) before the DELETE, calls Daily with no transaction
 * open, then finishes it — booking cleared, status, DAILY_ROOM_DELETED row — in one short
 * transaction. A 404 after an earlier claim is that attempt's DELETE whose answer was lost
 * (recorded DELETED, `recovered`); a name Daily refuses is marked REFUSED for good. Each failed
 * attempt writes one DAILY_ROOM_ERROR row; a 429 writes none.
 */
export async function processDeleteRoom(deps: DeleteRoomDeps, data: DeleteRoomPayload, job: JobInfo): Promise<DeleteRoomOutcome> {
  const { bookingId, roomName, deletedBy } = data;
  const b = await loadBookingRoom(deps.db, bookingId);
  const latest = await findLatestDeletion(deps.db.sql, bookingId, roomName);
  const holdsRoom = b?.roomName === roomName;
  if (latest && latest.deletion.status !== "DELETING") {
    await insertAuditRowOnce(deps.db.sql, finishedRow(latest.deletion, b, job, { backfilled: true }));
    // The finish clears the booking's room in its transaction: a booking holding it again got a new room of that name.
    if (latest.deletion.status === "REFUSED" || !holdsRoom) return outcomeOf(latest.deletion);
  }
  const resuming = latest?.deletion.status === "DELETING";
  if (!resuming) {
    if (!b) return { status: "already_deleted", roomName, bookingId, reason: "booking_not_found" };
    if (!holdsRoom) return { status: "already_deleted", roomName, bookingId, reason: "room_cleared" };
    // The sweep picked a finished booking; never take the room of a call that is (again) ahead.
    if (deletedBy === "cron_job" && !(FINISHED_STATUSES as readonly string[]).includes(b.status)) {
      return { status: "skipped", roomName, bookingId, reason: "booking_not_finished" };
    }
  }
  const claim = {
    id: latest && resuming ? latest.deletion.id : deletionIdFor(bookingId, roomName, (latest?.generations ?? 0) + 1),
    bookingId,
    roomName,
    deletedBy,
  };

  let leased = false;
  try {
    const exists = await deps.daily.checkDailyRoomExists(roomName);
    if (exists) await deps.deleteLimiter.acquire();
    const holder = `${job.queueName}:${job.id}:${job.timestamp}`;
    const lease = await leaseDeletion(deps.db.sql, claim, { holder, leaseMs: deps.leaseMs, waitMs: deps.leaseMs });
    // A concurrent copy finished it while we waited for its lease: its row is there (or is written now).
    if (lease.kind === "finished") {
      await insertAuditRowOnce(deps.db.sql, finishedRow(lease.deletion, b, job, { backfilled: true }));
      return outcomeOf(lease.deletion);
    }
    leased = true;
    // Claimed before this attempt: an earlier attempt (or a copy that died) may have sent the DELETE.
    const deletedNow = exists && (await deps.daily.deleteRoom(roomName)).status === "deleted";
    const recovered = !deletedNow && lease.claimedBefore;
    const status = deletedNow || recovered ? "DELETED" : "ALREADY_DELETED";
    return await withLockedDeletion(deps.db.sql, claim.id, async (tx, d) => {
      if (d.status !== "DELETING") {
        await insertAuditRowOnce(tx, finishedRow(d, b, job, { backfilled: true }));
        return outcomeOf(d);
      }
      await finishDeletion(tx, d, status, finishedRow({ ...d, status }, b, job, recovered ? { recovered: true } : {}));
      return outcomeOf({ ...d, status });
    });
  } catch (error) {
    if (leased) await releaseLease(deps.db.sql, claim.id).catch(() => undefined);
    const decision = decideRetry(error, jobContext(job));
    // A 429 or an unreachable PostgreSQL is a wait, not a failure: the processor puts the job back
    // (pausing the queue for a 429) and the attempt is not spent.
    if (decision.action === "wait" || waitsOutDatabaseOutage(error)) throw error;
    const context = {
      operation: "delete",
      ...bookingContext(b, claim.id, deletedBy),
      ...jobContext(job),
      errorType: error instanceof Error ? error.name : typeof error,
      final: decision.final,
    };
    if (isRoomNameRefused(error)) {
      const reason = error instanceof Error ? error.message : String(error);
      const row = { ...auditRows.logDailyRoomError(roomName, bookingId, error, { ...context, final: true }), id: roomAuditIds.refused(claim.id) };
      await refuseDeletion(deps.db.sql, claim, reason, row);
    } else {
      const attempt = job.attemptsMade + 1;
      const id = decision.final ? finalFailureLogId(job, attempt) : attemptFailureLogId(job, attempt);
      await deps.logger.writeRow({ ...auditRows.logDailyRoomError(roomName, bookingId, error, context), id });
    }
    throw markAudited(error);
  }
}

/** The audit row a finished deletion has (or gets): DAILY_ROOM_DELETED, or the final DAILY_ROOM_ERROR of a refusal. */
function finishedRow(d: RoomDeletion, b: Booking, job: JobInfo, extra: Record<string, unknown>): StoredRow {
  const context = { ...bookingContext(b, d.id, d.deletedBy), ...jobContext(job), ...extra };
  if (d.status === "REFUSED") {
    const error = new Error(d.failureReason ?? `Daily refuses the room name '${d.roomName}'`);
    const row = auditRows.logDailyRoomError(d.roomName, d.bookingId, error, { operation: "delete", ...context, final: true });
    return { ...row, id: roomAuditIds.refused(d.id) };
  }
  const row = auditRows.logDailyRoomDeleted(d.roomName, d.bookingId, { ...context, alreadyDeleted: d.status === "ALREADY_DELETED" });
  return { ...row, id: roomAuditIds.deleted(d.id) };
}

function bookingContext(b: Booking, deletionId: string, deletedBy: string) {
  return { roomUrl: b?.roomUrl ?? undefined, bookingStatus: b?.status, deletedBy, deletionId };
}

function jobContext(job: JobInfo) {
  return { jobId: job.id, jobName: job.name, attempt: job.attemptsMade + 1, attempts: job.opts.attempts ?? 1 };
}

function outcomeOf(d: Pick<RoomDeletion, "status" | "roomName" | "bookingId">): DeleteRoomOutcome {
  const status = d.status === "ALREADY_DELETED" ? "already_deleted" : d.status === "REFUSED" ? "refused" : "deleted";
  return { status, roomName: d.roomName, bookingId: d.bookingId };
}
