import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { DbHandle } from "@callastar/db";
import { JOBS, jobIds } from "@callastar/queues";
import type { CronOutcome } from "@callastar/runtime";
import { findDueReminders } from "../booking-query";

export interface SweepDeps {
  db: DbHandle;
  queue: Queue;
  /** The connection behind `queue`, for one pipelined existence check per chunk. */
  redis: Redis;
  leadMs: number;
  periodMs: number;
  now?: () => number;
}

const CHUNK = 1_000;
const IN_FLIGHT = 4;

/**
 * The safety net: every CONFIRMED, not yet reminded booking starting within lead + one period gets
 * its reminder job (same deterministic id as the main app's, so an existing one is left alone).
 */
export async function sweepBookingReminders(deps: SweepDeps, progress: Record<string, unknown>): Promise<CronOutcome> {
  const now = (deps.now ?? Date.now)();
  const minTime = new Date(now);
  const maxTime = new Date(now + deps.leadMs + deps.periodMs);
  const due = await findDueReminders(deps.db, minTime, maxTime);
  progress.totalBookings = due.length;
  let remindersEnqueued = 0;
  let alreadyScheduled = 0;
  // A few chunks in flight at once overlap their Redis round trips (existence check, addBulk).
  const chunks: Array<typeof due> = [];
  for (let i = 0; i < due.length; i += CHUNK) chunks.push(due.slice(i, i + CHUNK));
  const enqueueChunk = async (chunk: typeof due) => {
    const fresh = await withoutScheduled(deps.queue, deps.redis, chunk.map((b) => jobIds.reminder(b.id)));
    alreadyScheduled += chunk.length - fresh.size;
    const jobs = chunk
      .filter((b) => fresh.has(jobIds.reminder(b.id)))
      .map((b) => ({
        name: "booking-reminder" as const,
        data: { bookingId: b.id },
        opts: {
          ...JOBS["booking-reminder"].options,
          jobId: jobIds.reminder(b.id),
          delay: Math.max(0, b.callDateTime.getTime() - deps.leadMs - Date.now()),
        },
      }));
    if (jobs.length) await deps.queue.addBulk(jobs);
    remindersEnqueued += jobs.length;
    progress.remindersEnqueued = remindersEnqueued;
  };
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(IN_FLIGHT, chunks.length) }, async () => {
      while (next < chunks.length) await enqueueChunk(chunks[next++]!);
    }),
  );
  return {
    itemsProcessed: remindersEnqueued,
    context: {
      totalBookings: due.length,
      remindersEnqueued,
      alreadyScheduled,
      timeWindow: { minTime: minTime.toISOString(), maxTime: maxTime.toISOString() },
    },
  };
}

/**
 * The ids among `ids` that need a job: absent, or finished (a finished job with the same id would
 * make BullMQ ignore the new one — yet the booking is still not reminded, so replace it).
 */
async function withoutScheduled(queue: Queue, redis: Redis, ids: string[]): Promise<Set<string>> {
  const pipeline = redis.pipeline();
  for (const id of ids) pipeline.exists(queue.toKey(id));
  const results = (await pipeline.exec()) ?? [];
  const fresh = new Set<string>();
  const existing: string[] = [];
  ids.forEach((id, i) => (results[i]?.[1] === 1 ? existing.push(id) : fresh.add(id)));
  for (const id of existing) {
    const state = await queue.getJobState(id);
    if (state === "completed" || state === "failed" || state === "unknown") {
      await queue.remove(id);
      fresh.add(id);
    }
  }
  return fresh;
}
