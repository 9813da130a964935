import type { Job } from "bullmq";
import type { DbHandle } from "@callastar/db";
import type { DailyClient } from "@callastar/integrations/daily";
import type { AuditLogger } from "@callastar/logger";
import type { DeleteRoomPayload } from "@callastar/queues";
import type { RateLimiter } from "@callastar/runtime";
import { FINISHED_STATUSES, clearBookingRoom, loadBookingRoom } from "../room-query";

/** What a room deletion needs: the database, the audit log, Daily and the shared DELETE limiter. */
export interface DeleteRoomDeps {
  db: DbHandle;
  logger: AuditLogger;
  daily: Pick<DailyClient, "checkDailyRoomExists" | "deleteRoom">;
  /** Shared by every copy of the worker: Daily allows about 2 DELETE /rooms per second. */
  deleteLimiter: RateLimiter;
}

/** What one deletion reports to its cron run's summary. */
export interface DeleteRoomOutcome {
  status: "deleted" | "already_deleted" | "skipped";
  roomName: string;
  bookingId: string;
  /** Why nothing was called: the booking no longer references the room, or its call is not over. */
  reason?: "room_cleared" | "booking_not_found" | "booking_not_finished";
}

/**
 * Deletes one booking's Daily room: re-reads the booking (a room it no longer references is not
 * touched), checks the room on Daily (404 = already gone), deletes it under the shared rate limit,
 * clears `dailyRoomName`/`dailyRoomUrl` with a conditional update, and audits every attempt.
 */
export async function processDeleteRoom(
  deps: DeleteRoomDeps,
  data: DeleteRoomPayload,
  job: Pick<Job, "id" | "attemptsMade" | "opts">,
): Promise<DeleteRoomOutcome> {
  const { bookingId, roomName, deletedBy } = data;
  const b = await loadBookingRoom(deps.db, bookingId);
  if (!b) return { status: "already_deleted", roomName, bookingId, reason: "booking_not_found" };
  if (b.roomName !== roomName) return { status: "already_deleted", roomName, bookingId, reason: "room_cleared" };
  // The sweep picked a finished booking; never take the room of a call that is (again) ahead.
  if (deletedBy === "cron_job" && !(FINISHED_STATUSES as readonly string[]).includes(b.status)) {
    return { status: "skipped", roomName, bookingId, reason: "booking_not_finished" };
  }

  const attempt = job.attemptsMade + 1;
  const common = { roomUrl: b.roomUrl ?? undefined, bookingStatus: b.status, deletedBy, jobId: job.id, attempt };
  try {
    let alreadyDeleted = !(await deps.daily.checkDailyRoomExists(roomName));
    if (!alreadyDeleted) {
      await deps.deleteLimiter.acquire();
      alreadyDeleted = (await deps.daily.deleteRoom(roomName)).status === "already_deleted";
    }
    await clearBookingRoom(deps.db, bookingId, roomName);
    await deps.logger.logDailyRoomDeleted(roomName, bookingId, { ...common, alreadyDeleted });
    return { status: alreadyDeleted ? "already_deleted" : "deleted", roomName, bookingId };
  } catch (error) {
    await deps.logger.logDailyRoomError(roomName, bookingId, error, {
      operation: "delete",
      ...common,
      errorType: error instanceof Error ? error.name : typeof error,
      willRetry: willRetry(error, attempt, job.opts.attempts ?? 1),
    });
    throw error;
  }
}

// Mirrors the processor wrapper: permanent errors are not retried, rate limits do not spend an attempt.
function willRetry(error: unknown, attempt: number, attempts: number): boolean {
  if (!(error instanceof Error)) return attempt < attempts;
  const retryable = (error as { retryable?: unknown }).retryable;
  if (retryable === false) return false;
  if (error.name === "RateLimitedError") return true;
  return attempt < attempts;
}
