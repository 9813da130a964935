import type { Job } from "bullmq";

/** What every error row says of the job attempt that wrote it (`final` is added by the writer). */
export function jobContext(job: Pick<Job, "id" | "name" | "attemptsMade" | "opts">) {
  return { jobId: job.id, jobName: job.name, attempt: job.attemptsMade + 1, attempts: job.opts.attempts ?? 1 };
}
