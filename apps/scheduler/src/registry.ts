import type { Job, JobType, Queue } from "bullmq";
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
  if (!next) return undefined;
  // The scheduler's own next time, not the job's timestamp + delay: BullMQ stamps the returned job
  // with a clock read apart from the one its delay came from, off by a millisecond now and then.
  return (await queue.getJobScheduler(s.id))?.next ?? undefined;
}

/**
 * Upserts every declared scheduler and removes those no longer declared, queue by queue. A scheduler
 * whose run is due and waiting for a worker keeps it: an upsert would delete that run (BullMQ
 * replaces the pending job) and the next one would come a whole period later. Its definition is
 * re-applied at the next start that finds no run waiting.
 */
export async function syncSchedulers(
  queues: (name: QueueName) => Queue,
  declared: DeclaredScheduler[],
  now = Date.now(),
): Promise<{ upserted: Array<DeclaredScheduler & { nextRun?: string }>; kept: DeclaredScheduler[]; removed: string[] }> {
  const upserted: Array<DeclaredScheduler & { nextRun?: string }> = [];
  const kept: DeclaredScheduler[] = [];
  for (const s of declared) {
    const queue = queues(s.queue);
    const current = await queue.getJobScheduler(s.id);
    const unchanged = current && current.pattern === s.pattern && current.tz === s.tz && current.name === SCHEDULERS[s.id].jobName;
    if (unchanged && current.next !== undefined && current.next <= now && (await pendingRun(queue, s.id, current.next))) {
      kept.push(s);
      continue;
    }
    const next = await upsertScheduler(queue, s);
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
  return { upserted, kept, removed };
}

export interface SchedulerProblem {
  id: SchedulerId;
  problem: "missing" | "no_future_run" | "next_job_missing";
}

// A job moves delayed → prioritized/wait → active; scanning in that order, a job moving while we
// scan moves into a state not scanned yet, so a pending run cannot slip past the scan.
const PENDING_STATES: JobType[] = ["delayed", "prioritized", "waiting", "waiting-children", "active"];
const PAGE = 200;
// A run not taken a minute after its time is worth a log line: its workers are down or saturated.
const LATE_REPORT_MS = 60_000;

/**
 * The scheduler's pending run (due or not, waiting for a worker or running), found through public
 * APIs: a job produced by a scheduler carries its id as `repeatJobKey`. Delayed jobs are scanned in
 * time order and only up to the scheduler's next run time.
 */
export async function pendingRun(queue: Queue, schedulerId: string, next: number | undefined): Promise<Job | undefined> {
  for (const state of PENDING_STATES) {
    for (let start = 0; ; start += PAGE) {
      const jobs = (await queue.getJobs([state], start, start + PAGE - 1, true)).filter((j): j is Job => Boolean(j));
      const found = jobs.find((j) => j.repeatJobKey === schedulerId);
      if (found) return found;
      if (jobs.length < PAGE) break;
      // Delayed jobs come in run-time order: past the next run time there is nothing of ours.
      if (state === "delayed" && next !== undefined && jobs.every((j) => j.timestamp + j.delay > next + 1_000)) break;
    }
  }
  return undefined;
}

/**
 * Finds schedulers that will never fire again — deleted, or with no pending run (its job removed
 * by hand, lost with Redis data, or finished without the next one being added). A scheduler whose
 * run is delayed, waiting, prioritized or active is healthy however late it is: workers down for
 * a while leave the run waiting, and re-registering would delete it (the run would be skipped).
 * A run not found is looked for a second time before the scheduler is declared broken. A run
 * still pending past its time is reported to `onLate` (workers down or busy), never repaired.
 */
export async function findBrokenSchedulers(
  queues: (name: QueueName) => Queue,
  declared: DeclaredScheduler[],
  now = Date.now(),
  onLate: (id: SchedulerId, lateMs: number) => void = () => undefined,
): Promise<SchedulerProblem[]> {
  const problems: SchedulerProblem[] = [];
  for (const s of declared) {
    const queue = queues(s.queue);
    const current = await queue.getJobScheduler(s.id);
    if (!current) {
      problems.push({ id: s.id, problem: "missing" });
      continue;
    }
    const pending = (await pendingRun(queue, s.id, current.next)) ?? (await pendingRun(queue, s.id, current.next));
    if (pending) {
      if (current.next !== undefined && current.next < now - LATE_REPORT_MS && !(await pending.isActive())) onLate(s.id, now - current.next);
      continue;
    }
    problems.push({ id: s.id, problem: current.next ? "next_job_missing" : "no_future_run" });
  }
  return problems;
}
