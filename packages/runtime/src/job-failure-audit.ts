// The worker runtime's share of convention 1: exactly one error row for each failed attempt that no
// handler audited (a stall limit reached, a malformed payload, an unexpected throw), typed by what
// the job is (catalog `errorLogType`), carrying the job's entity ids. Every row's id is derived from
// the job incarnation and the attempt, so the row written just before a crash and the one its rerun
// writes are one row; a cron run's final failure also finishes its "CronRun" FAILED in the same statement.
import type { Job } from "bullmq";
import type { DbHandle } from "@callastar/db";
import { auditRows, type AuditLogger, type LogContext, type LogType } from "@callastar/audit-log";
import type { ProcessLog } from "@callastar/process-log";
import { JOBS, entityIds, isJobName, jobLogFields, type AttemptInfo, type JobDefinition } from "@callastar/queues";
import { cronRunLogIds, cronRunRef, finishCronRun, insertRowOnce, type CronRunRef } from "./cron-run-store";

/** The cron run a job belongs to: a cron job is its own run, a summary closes `runJobId`'s. */
function cronRunOf(job: Job, def: JobDefinition | undefined): CronRunRef | undefined {
  const data = (job.data ?? {}) as Record<string, unknown>;
  const trigger = typeof data.trigger === "string" ? data.trigger : "schedule";
  if (def?.role === "cron" && job.id) return cronRunRef(job.queueName, job.id, job.name, trigger);
  if (def?.role === "summary" && typeof data.runJobId === "string" && typeof data.cronType === "string") {
    return cronRunRef(typeof data.runQueue === "string" ? data.runQueue : job.queueName, data.runJobId, data.cronType, trigger);
  }
  return undefined;
}

type JobIdentity = Pick<Job, "queueName" | "id" | "timestamp">;

/** The id of a job incarnation's final-failure row (a job id reused after removal has a new timestamp). */
export const finalFailureLogId = (job: JobIdentity, attempt: number) => `job-failed:${job.queueName}:${job.id}:${job.timestamp}:${attempt}`;

/** The id of the row of a failed attempt another attempt follows (same incarnation key as the final one). */
export const attemptFailureLogId = (job: JobIdentity, attempt: number) => `job-attempt:${job.queueName}:${job.id}:${job.timestamp}:${attempt}`;

export interface FailureAuditDeps {
  db: DbHandle;
  logger: AuditLogger;
  log: ProcessLog;
}

/** Writes the runtime's error row for one failed attempt of `job`. Never throws. */
export async function auditJobFailure(deps: FailureAuditDeps, job: Job, error: unknown, info: AttemptInfo, message: string): Promise<void> {
  const def = isJobName(job.name) ? JOBS[job.name] : undefined;
  const type = (def?.errorLogType ?? "SYSTEM_ERROR") as LogType;
  const context: LogContext = {
    queue: job.queueName,
    jobId: job.id ?? null,
    jobName: job.name,
    attempt: info.attempt,
    attempts: info.attempts,
    final: info.final,
    ...(job.stalledCounter > 0 ? { stalls: job.stalledCounter } : {}),
    ...entityIds(job.data),
  };
  if (!info.final) return deps.logger.writeRow({ ...auditRows.logError(type, message, error, context), id: attemptFailureLogId(job, info.attempt) });
  const run = cronRunOf(job, def);
  const row = run
    ? { ...auditRows.logCronError(run.cronType, error, { ...context, trigger: run.trigger, cronRunId: run.id }), id: cronRunLogIds.failed(run.id) }
    : { ...auditRows.logError(type, message, error, context), id: finalFailureLogId(job, info.attempt) };
  try {
    if (run) await finishCronRun(deps.db.sql, { ...run, status: "FAILED", itemsProcessed: null, startedAt: new Date(job.processedOn ?? Date.now()) }, row);
    else await insertRowOnce(deps.db.sql, row);
  } catch (writeError) {
    // PostgreSQL unreachable: the logger holds or spools the row, with its id.
    deps.log
      .child(jobLogFields(job))
      .warn({ err: writeError }, `could not write the failure row of ${job.name} ${job.id} directly; handing it to the audit logger`);
    await deps.logger.writeRow(row);
  }
}
