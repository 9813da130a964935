import { UnrecoverableError, type Job } from "bullmq";
import type { DbHandle } from "@callastar/db";
import { isAudited, markAudited } from "@callastar/errors";
import { auditRows, type AuditLogger } from "@callastar/audit-log";
import { attemptInfo, isRateLimitWait, waitsOutDatabaseOutage } from "@callastar/queues";
import { cronRunLogIds, cronRunRef, finishCronRun, startCronRun, type CronRunRef } from "./cron-run-store";
import { attemptFailureLogId } from "./job-failure-audit";

/** What one cron run reports: its item count and the spec's context counts. */
export interface CronOutcome {
  itemsProcessed: number;
  context: Record<string, unknown>;
  /** True when per-entity children were fanned out: their summary job finishes the run when they finish. */
  deferred?: boolean;
  /** True when this job found its run already SUCCEEDED (a rerun after a crash): nothing was done. */
  alreadyFinished?: boolean;
}

/** What runCron and summarizeRun need of the worker context. */
export type CronRunContext = { db: DbHandle; logger: AuditLogger };

/**
 * Runs one cron run as a "CronRun" row keyed by the run's queue and job id: RUNNING when it starts (a retry
 * reuses the row), then SUCCEEDED with its CRON_RUN row, or — on its final failure — FAILED with
 * its CRON_ERROR row, each pair in one statement. An attempt that will be retried writes an ordinary
 * CRON_ERROR row (`final: false`). `progress` (filled in by the body) says what a failed run had done.
 */
export async function runCron(
  ctx: CronRunContext,
  cronType: string,
  job: Job,
  body: (progress: Record<string, unknown>) => Promise<CronOutcome>,
): Promise<CronOutcome> {
  const run = cronRunRef(job.queueName, String(job.id), cronType, (job.data as { trigger?: string }).trigger ?? "schedule");
  const { status, startedAt } = await startCronRun(ctx.db.sql, run, new Date());
  if (status === "SUCCEEDED") return { itemsProcessed: 0, context: {}, alreadyFinished: true };
  if (status === "FAILED") {
    // Its worker died after recording the final failure, before BullMQ moved the job: fail it again, silently.
    throw markAudited(new UnrecoverableError(`cron run ${run.id} already failed for good; trigger a new run`));
  }
  const base = () => ({
    startTime: startedAt.toISOString(),
    endTime: new Date().toISOString(),
    trigger: run.trigger,
    jobId: job.id,
    cronRunId: run.id,
  });
  const progress: Record<string, unknown> = {};
  try {
    const outcome = await body(progress);
    if (!outcome.deferred) {
      const context = { ...base(), attempt: job.attemptsMade + 1, ...outcome.context };
      const row = { ...auditRows.logCronRun(cronType, outcome.itemsProcessed, Date.now() - startedAt.getTime(), context), id: cronRunLogIds.succeeded(run.id) };
      await finishCronRun(ctx.db.sql, { ...run, status: "SUCCEEDED", itemsProcessed: outcome.itemsProcessed, startedAt }, row);
    }
    return outcome;
  } catch (error) {
    throw await auditRunFailure(ctx, job, run, startedAt, error, { ...base(), duration: Date.now() - startedAt.getTime(), ...progress });
  }
}

/**
 * Audits one failed attempt of a run (its own job, or the summary closing it) and returns the error
 * to rethrow, marked audited: the final attempt finishes the run FAILED with its CRON_ERROR row;
 * an earlier one writes a CRON_ERROR row with `final: false`; a rate-limit wait, and PostgreSQL
 * being unreachable (the processor puts the run back without spending an attempt), write nothing.
 */
export async function auditRunFailure(
  ctx: CronRunContext,
  job: Job,
  run: CronRunRef,
  startedAt: Date,
  error: unknown,
  context: Record<string, unknown>,
): Promise<unknown> {
  if (isRateLimitWait(error) || waitsOutDatabaseOutage(error)) return error;
  const info = attemptInfo(job, error);
  const full = { ...context, jobId: job.id, jobName: job.name, attempt: info.attempt, attempts: info.attempts, final: info.final };
  if (info.final) {
    // The run's fact needs its row even when the body already audited its own error.
    const row = { ...auditRows.logCronError(run.cronType, error, full), id: cronRunLogIds.failed(run.id) };
    await finishCronRun(ctx.db.sql, { ...run, status: "FAILED", itemsProcessed: null, startedAt }, row);
  } else if (!isAudited(error)) {
    await ctx.logger.writeRow({ ...auditRows.logCronError(run.cronType, error, full), id: attemptFailureLogId(job, info.attempt) });
  }
  return markAudited(error);
}
