import { Job, type Queue } from "bullmq";
import type { RedisConnection as Redis } from "@callastar/queues";
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
 * its reminder job (same deterministic id as the main app's, so an existing one is left alone —
 * unless it waits for a later time than the booking's: the call was moved earlier, so it is moved).
 */
export async function sweepBookingReminders(deps: SweepDeps, progress: Record<string, unknown>): Promise<CronOutcome> {
  const now = (deps.now ?? Date.now)();
  const minTime = new Date(now);
  const maxTime = new Date(now + deps.leadMs + deps.periodMs);
  const due = await findDueReminders(deps.db, minTime, maxTime);
  progress.totalBookings = due.length;
  let remindersEnqueued = 0;
  let alreadyScheduled = 0;
  let remindersMoved = 0;
  // A few chunks in flight at once overlap their Redis round trips (existence check, addBulk).
  const chunks: Array<typeof due> = [];
  for (let i = 0; i < due.length; i += CHUNK) chunks.push(due.slice(i, i + CHUNK));
  const enqueueChunk = async (chunk: typeof due) => {
    const { fresh, moved } = await withoutScheduled(
      deps.queue,
      deps.redis,
      chunk.map((b) => ({ id: jobIds.reminder(b.id), dueAt: b.callDateTime.getTime() - deps.leadMs })),
    );
    remindersMoved += moved;
    alreadyScheduled += chunk.length - fresh.size - moved;
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
    itemsProcessed: remindersEnqueued + remindersMoved,
    context: {
      totalBookings: due.length,
      remindersEnqueued,
      alreadyScheduled,
      remindersMoved,
      timeWindow: { minTime: minTime.toISOString(), maxTime: maxTime.toISOString() },
    },
  };
}

// A job is moved when it waits longer than this past its booking's due time (the reminder job
// itself re-delays one that runs more than a second early, so a second is "on time" both ways).
const ON_TIME_MS = 1_000;

/**
 * The ids among `reminders` that need a job: absent, or finished (a finished job with the same id
 * would make BullMQ ignore the new one — yet the booking is still not reminded, so replace it).
 * A delayed job due later than its booking (moved earlier without the producer being told) is
 * moved to the booking's due time: `moved` counts them.
 */
async function withoutScheduled(queue: Queue, redis: Redis, reminders: ReadonlyArray<{ id: string; dueAt: number }>): Promise<{ fresh: Set<string>; moved: number }> {
  const pipeline = redis.pipeline();
  for (const r of reminders) {
    pipeline.exists(queue.toKey(r.id));
    pipeline.zscore(queue.keys.delayed!, r.id);
  }
  const results = (await pipeline.exec()) ?? [];
  const fresh = new Set<string>();
  const existing: string[] = [];
  const late: Array<{ id: string; dueAt: number }> = [];
  reminders.forEach((r, i) => {
    if (results[2 * i]?.[1] !== 1) return void fresh.add(r.id);
    existing.push(r.id);
    // BullMQ scores a delayed job by its due time in ms, times 4096 (plus a tie-breaking counter).
    const score = results[2 * i + 1]?.[1];
    if (typeof score === "string" && Math.floor(Number(score) / 0x1000) > r.dueAt + ON_TIME_MS) late.push(r);
  });
  let moved = 0;
  for (const r of late) if (await moveEarlier(queue, r.id, r.dueAt)) moved++;
  const lateIds = new Set(late.map((r) => r.id));
  for (const id of existing.filter((i) => !lateIds.has(i))) {
    const state = await queue.getJobState(id);
    if (state === "completed" || state === "failed" || state === "unknown") {
      await queue.remove(id);
      fresh.add(id);
    }
  }
  return { fresh, moved };
}

/** Moves a delayed job to `dueAt` (now when past); false when it is no longer delayed (it runs now and re-reads the booking). */
async function moveEarlier(queue: Queue, id: string, dueAt: number): Promise<boolean> {
  const job = await Job.fromId(queue, id);
  if (!job) return false;
  const delay = dueAt - Date.now();
  try {
    if (delay > 0) await job.changeDelay(delay);
    else await job.promote();
    return true;
  } catch (error) {
    if ((await job.getState()) !== "delayed") return false;
    throw error;
  }
}
