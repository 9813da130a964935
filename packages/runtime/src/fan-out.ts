import type { Job } from "bullmq";
import { JOBS, jobIds, queueKey, queuePrefix, type JobData, type JobName, type QueueName } from "@callastar/queues";
import { auditRows } from "@callastar/audit-log";
import { auditRunFailure, type CronRunContext } from "./cron-run";
import { cronRunLogIds, cronRunRef, finishCronRun } from "./cron-run-store";
import { withLock } from "./redis-lock";
import type { WorkerContext } from "./worker-app";

export interface FanOutChild<N extends JobName = JobName> {
  name: N;
  jobId: string;
  data: JobData<N>;
}

export interface FanOutResult {
  /** Children added to this run. */
  enqueued: number;
  /** Entities whose job was already waiting, delayed or running (left alone, not counted twice). */
  alreadyScheduled: number;
  /** True when a summary job will write the CRON_RUN once every child has finished. */
  deferred: boolean;
}

const IN_FLIGHT = new Set(["waiting", "delayed", "active", "prioritized", "waiting-children"]);

/**
 * Fans a cron run out into one child job per entity under a summary parent (a BullMQ flow whose
 * parent ignores failed children), so the run's CRON_RUN can carry the children's outcomes and the
 * duration of the whole run. Entities already in flight are skipped; finished jobs with the same id
 * are replaced (BullMQ would otherwise attach them to this parent and strand it). A Redis lock,
 * extended while held, keeps two runs of one cron from fanning out at once; a run that loses it
 * stops before its next change to the queue.
 */
export async function fanOut<N extends JobName>(
  ctx: WorkerContext,
  run: Job,
  spec: {
    queue: QueueName;
    cronType: string;
    summaryJob: JobName;
    children: FanOutChild<N>[];
    counts?: Record<string, number>;
    context?: Record<string, unknown>;
  },
): Promise<FanOutResult> {
  const queue = ctx.queue(spec.queue);
  const summaryId = jobIds.summary(String(run.id));
  if (await queue.getJob(summaryId)) return { enqueued: 0, alreadyScheduled: spec.children.length, deferred: true };

  const lockKey = queueKey(ctx.prefix, spec.queue, `${spec.queue}:lock:fan-out:${spec.cronType}`, ctx.redis);
  return withLock(ctx.redis, lockKey, `another ${spec.cronType} run holds the fan-out lock`, async (signal) => {
    const fresh: FanOutChild<N>[] = [];
    let alreadyScheduled = 0;
    const states = await Promise.all(spec.children.map((c) => queue.getJobState(c.jobId)));
    for (const [i, child] of spec.children.entries()) {
      const state = states[i]!;
      if (IN_FLIGHT.has(state)) {
        alreadyScheduled++;
        continue;
      }
      if (state === "completed" || state === "failed") {
        signal.throwIfAborted();
        await queue.remove(child.jobId);
      }
      fresh.push(child);
    }
    if (fresh.length === 0) return { enqueued: 0, alreadyScheduled, deferred: false };
    // Another run may hold the lock now: adding this flow too would run these entities twice.
    signal.throwIfAborted();
    await ctx.flows.add({
      name: spec.summaryJob,
      queueName: spec.queue,
      // The flow producer's prefix is the system's; on a Cluster each queue has its own (key-layout.ts).
      prefix: queuePrefix(ctx.prefix, spec.queue, ctx.redis),
      data: {
        cronType: spec.cronType,
        runJobId: String(run.id),
        runQueue: run.queueName,
        startedAt: new Date(run.processedOn ?? Date.now()).toISOString(),
        trigger: (run.data as { trigger?: "schedule" | "manual" }).trigger ?? "schedule",
        counts: { ...(spec.counts ?? {}), alreadyScheduled },
        context: spec.context ?? {},
      },
      opts: { ...JOBS[spec.summaryJob].options, jobId: summaryId },
      children: fresh.map((c) => ({
        name: c.name,
        queueName: JOBS[c.name].queue,
        prefix: queuePrefix(ctx.prefix, JOBS[c.name].queue, ctx.redis),
        data: c.data,
        opts: { ...JOBS[c.name].options, jobId: c.jobId, ignoreDependencyOnFailure: true },
      })),
    });
    return { enqueued: fresh.length, alreadyScheduled, deferred: true };
  });
}

/**
 * The summary of a fanned-out run: tallies its children, then finishes the run's "CronRun"
 * SUCCEEDED with its CRON_RUN row in one statement (a summary rerun after a crash finds the run
 * finished and writes nothing); its final failure finishes the run FAILED with CRON_ERROR.
 */
export async function summarizeRun<T>(
  ctx: CronRunContext,
  job: Job,
  data: { cronType: string; runJobId: string; runQueue?: string | undefined; startedAt: string; trigger: string; counts: Record<string, number>; context: Record<string, unknown> },
  tally: (outcomes: { values: T[]; failures: Array<{ jobKey: string; reason: string }> }) => {
    itemsProcessed: number;
    context: Record<string, unknown>;
  },
): Promise<{ itemsProcessed: number }> {
  // A summary lives in its run's queue; runQueue says so explicitly since it was added.
  const run = cronRunRef(data.runQueue ?? job.queueName, data.runJobId, data.cronType, data.trigger);
  const startedAt = new Date(data.startedAt);
  const base = { startTime: data.startedAt, trigger: data.trigger, runJobId: data.runJobId, cronRunId: run.id, ...data.counts, ...data.context };
  try {
    const values = Object.values(await job.getChildrenValues<T>());
    const failures = Object.entries(await job.getIgnoredChildrenFailures()).map(([jobKey, reason]) => ({
      jobKey,
      reason: String(reason),
    }));
    const { itemsProcessed, context } = tally({ values, failures });
    const row = {
      ...auditRows.logCronRun(data.cronType, itemsProcessed, Date.now() - startedAt.getTime(), { ...base, endTime: new Date().toISOString(), ...context }),
      id: cronRunLogIds.succeeded(run.id),
    };
    await finishCronRun(ctx.db.sql, { ...run, status: "SUCCEEDED", itemsProcessed, startedAt }, row);
    return { itemsProcessed };
  } catch (error) {
    throw await auditRunFailure(ctx, job, run, startedAt, error, { ...base, duration: Date.now() - startedAt.getTime() });
  }
}
