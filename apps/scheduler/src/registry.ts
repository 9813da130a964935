import type { Queue } from "bullmq";
import { JOBS, QUEUE_NAMES, SCHEDULERS, SCHEDULER_IDS, type QueueName, type SchedulerId } from "@callastar/queues";

export interface DeclaredScheduler {
  id: SchedulerId;
  queue: QueueName;
  pattern: string;
  tz: string;
}

/** The schedulers this deployment declares, with patterns resolved from env. */
export function declaredSchedulers(patterns: Record<string, string>, tz: string): DeclaredScheduler[] {
  return SCHEDULER_IDS.map((id) => {
    const spec = SCHEDULERS[id];
    return { id, queue: spec.queue, pattern: patterns[spec.patternEnv] ?? spec.defaultPattern, tz };
  });
}

/** Creates or updates one job scheduler; returns its next run time. */
export async function upsertScheduler(queue: Queue, s: DeclaredScheduler): Promise<number | undefined> {
  const spec = SCHEDULERS[s.id];
  const next = await queue.upsertJobScheduler(
    s.id,
    { pattern: s.pattern, tz: s.tz },
    { name: spec.jobName, data: { trigger: "schedule" }, opts: JOBS[spec.jobName].options },
  );
  return next ? (next.timestamp ?? 0) + (next.delay ?? 0) : undefined;
}

/** Upserts every declared scheduler and removes those no longer declared, queue by queue. */
export async function syncSchedulers(
  queues: (name: QueueName) => Queue,
  declared: DeclaredScheduler[],
): Promise<{ upserted: Array<DeclaredScheduler & { nextRun?: string }>; removed: string[] }> {
  const upserted: Array<DeclaredScheduler & { nextRun?: string }> = [];
  for (const s of declared) {
    const next = await upsertScheduler(queues(s.queue), s);
    upserted.push({ ...s, ...(next ? { nextRun: new Date(next).toISOString() } : {}) });
  }
  const removed: string[] = [];
  for (const name of QUEUE_NAMES) {
    const keep = new Set(declared.filter((s) => s.queue === name).map((s) => s.id as string));
    const existing = await queues(name).getJobSchedulers(0, -1);
    for (const scheduler of existing) {
      const id = scheduler.id ?? scheduler.key;
      if (!keep.has(id)) {
        await queues(name).removeJobScheduler(id);
        removed.push(`${name}/${id}`);
      }
    }
  }
  return { upserted, removed };
}

export interface SchedulerProblem {
  id: SchedulerId;
  problem: "missing" | "no_future_run" | "next_job_missing";
}

/**
 * Finds schedulers that will never fire again — deleted, with no future `next`, or whose next
 * delayed job is gone (removed by hand, or lost with Redis data) — a known BullMQ failure mode.
 */
export async function findBrokenSchedulers(
  queues: (name: QueueName) => Queue,
  declared: DeclaredScheduler[],
  now = Date.now(),
): Promise<SchedulerProblem[]> {
  const problems: SchedulerProblem[] = [];
  for (const s of declared) {
    const queue = queues(s.queue);
    const current = await queue.getJobScheduler(s.id);
    if (!current) {
      problems.push({ id: s.id, problem: "missing" });
      continue;
    }
    if (!current.next || current.next < now - 60_000) {
      problems.push({ id: s.id, problem: "no_future_run" });
      continue;
    }
    const state = await queue.getJobState(`repeat:${s.id}:${current.next}`);
    if (state === "unknown") problems.push({ id: s.id, problem: "next_job_missing" });
  }
  return problems;
}
