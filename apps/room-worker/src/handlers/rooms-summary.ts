import type { DeleteRoomOutcome } from "./delete-room";

/** The children of one cleanup run, as summarizeRun hands them over. */
export interface RoomOutcomes {
  values: DeleteRoomOutcome[];
  failures: Array<{ jobKey: string; reason: string }>;
}

/** Tallies a cleanup run's deletions into the spec's CRON_RUN counts. */
export function tallyRooms(outcomes: RoomOutcomes, counts: Record<string, number>) {
  const count = (status: DeleteRoomOutcome["status"]) => outcomes.values.filter((v) => v.status === status).length;
  const roomsDeleted = count("deleted");
  const roomsAlreadyDeleted = count("already_deleted");
  const roomsSkipped = count("skipped");
  // A room already marked refused (a manual job for it) did not get deleted either: it counts as failed.
  const roomsFailed = outcomes.failures.length + (counts.invalidRoomNames ?? 0) + count("refused");
  return {
    itemsProcessed: roomsDeleted + roomsAlreadyDeleted + roomsFailed,
    context: {
      roomsDeleted,
      roomsAlreadyDeleted,
      roomsFailed,
      roomsSkipped,
      failures: outcomes.failures.slice(0, 100).map((f) => ({ roomName: roomNameOf(f.jobKey), error: f.reason })),
    },
  };
}

// A job key is `<prefix>:<queue>:<jobId>` and job ids are `room-<name>`, without ":".
function roomNameOf(jobKey: string): string {
  const jobId = jobKey.slice(jobKey.lastIndexOf(":") + 1);
  return jobId.startsWith("room-") ? jobId.slice("room-".length) : jobId;
}
