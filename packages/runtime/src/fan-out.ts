import type { Job } from "bullmq";
import { JOBS, jobIds, type JobData, type JobName, type QueueName } from "@callastar/queues";
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
 * are replaced (BullMQ would otherwise attach them to this parent and strand it). A Redis lock keeps
 * two runs of one cron from fanning out at once.
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

  const lockKey = `${ctx.prefix}:${spec.queue}:lock:fan-out:${spec.cronType}`;
  const token = `${process.pid}-${Date.now()}`;
  for (let i = 0; !(await ctx.redis.set(lockKey, token, "PX", 60_000, "NX")); i++) {
    if (i > 600) throw new Error(`another ${spec.cronType} run holds the fan-out lock`);
    await new Promise((r) => setTimeout(r, 100));
  }
  try {
    const fresh: FanOutChild<N>[] = [];
    let alreadyScheduled = 0;
    const states = await Promise.all(spec.children.map((c) => queue.getJobState(c.jobId)));
    for (const [i, child] of spec.children.entries()) {
      const state = states[i]!;
      if (IN_FLIGHT.has(state)) {
        alreadyScheduled++;
        continue;
      }
      if (state === "completed" || state === "failed") await queue.remove(child.jobId);
      fresh.push(child);
    }
    if (fresh.length === 0) return { enqueued: 0, alreadyScheduled, deferred: false };
    await ctx.flows.add({
      name: spec.summaryJob,
      queueName: spec.queue,
      data: {
        cronType: spec.cronType,
        runJobId: String(run.id),
        startedAt: new Date(run.processedOn ?? Date.now()).toISOString(),
        trigger: (run.data as { trigger?: "schedule" | "manual" }).trigger ?? "schedule",
        counts: { ...(spec.counts ?? {}), alreadyScheduled },
        context: spec.context ?? {},
      },
      opts: { ...JOBS[spec.summaryJob].options, jobId: summaryId },
      children: fresh.map((c) => ({
        name: c.name,
        queueName: JOBS[c.name].queue,
        data: c.data,
        opts: { ...JOBS[c.name].options, jobId: c.jobId, ignoreDependencyOnFailure: true },
      })),
    });
    return { enqueued: fresh.length, alreadyScheduled, deferred: true };
  } finally {
    // Release only our own lock.
    await ctx.redis.eval(
      "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
      1,
      lockKey,
      token,
    );
  }
}

/** The children's return values and ignored failures of a summary job, for its CRON_RUN counts. */
export async function childOutcomes<T>(job: Job): Promise<{ values: T[]; failures: string[] }> {
  const values = Object.values(await job.getChildrenValues<T>());
  const failures = Object.values(await job.getIgnoredChildrenFailures());
  return { values, failures };
}

/** The summary of a fanned-out run: tallies its children, then writes the run's CRON_RUN. */
export async function summarizeRun<T>(
  ctx: WorkerContext,
  job: Job,
  data: { cronType: string; runJobId: string; startedAt: string; trigger: string; counts: Record<string, number>; context: Record<string, unknown> },
  tally: (outcomes: { values: T[]; failures: Array<{ jobKey: string; reason: string }> }) => {
    itemsProcessed: number;
    context: Record<string, unknown>;
  },
): Promise<{ itemsProcessed: number }> {
  const values = Object.values(await job.getChildrenValues<T>());
  const failures = Object.entries(await job.getIgnoredChildrenFailures()).map(([jobKey, reason]) => ({
    jobKey,
    reason: String(reason),
  }));
  const { itemsProcessed, context } = tally({ values, failures });
  const started = Date.parse(data.startedAt);
  await ctx.logger.logCronRun(data.cronType, itemsProcessed, Date.now() - started, {
    startTime: data.startedAt,
    endTime: new Date().toISOString(),
    trigger: data.trigger,
    runJobId: data.runJobId,
    ...data.counts,
    ...data.context,
    ...context,
  });
  return { itemsProcessed };
}
