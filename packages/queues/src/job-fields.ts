import type { Job } from "bullmq";

const ENTITY_KEYS = ["bookingId", "payoutId", "roomName", "userId", "cronType", "runJobId"] as const;

/** The entity ids a job's data names, for its error rows and log lines (a booking's page finds them by bookingId). */
export function entityIds(data: unknown): Record<string, string> {
  const ids: Record<string, string> = {};
  if (typeof data !== "object" || data === null) return ids;
  for (const key of ENTITY_KEYS) {
    const value = (data as Record<string, unknown>)[key];
    if (typeof value === "string" && value) ids[key] = value;
  }
  return ids;
}

/** The fields bound to a job's process log lines: queue, job id and name, this attempt, its entity ids. */
export function jobLogFields(job: Pick<Job, "queueName" | "id" | "name" | "attemptsMade" | "data">): Record<string, string | number | null> {
  return { queue: job.queueName, jobId: job.id ?? null, jobName: job.name, attempt: job.attemptsMade + 1, ...entityIds(job.data) };
}
