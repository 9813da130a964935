import type { Job } from "bullmq";
import type { AuditLogger } from "@callastar/logger";

/** What one cron run reports: its item count and the spec's context counts. */
export interface CronOutcome {
  itemsProcessed: number;
  context: Record<string, unknown>;
  /** True when per-entity children were fanned out: their summary job writes CRON_RUN when they finish. */
  deferred?: boolean;
}

/**
 * Times one cron run and audits it: CRON_RUN with the outcome's counts, or CRON_ERROR with the
 * error's stack and what the run had done before failing (`progress`, filled in by the body).
 */
export async function runCron(
  logger: AuditLogger,
  cronType: string,
  job: Job,
  body: (progress: Record<string, unknown>) => Promise<CronOutcome>,
): Promise<CronOutcome> {
  const started = Date.now();
  const progress: Record<string, unknown> = {};
  const base = () => ({
    startTime: new Date(started).toISOString(),
    endTime: new Date().toISOString(),
    trigger: (job.data as { trigger?: string }).trigger ?? "schedule",
    jobId: job.id,
    attempt: job.attemptsMade + 1,
  });
  try {
    const outcome = await body(progress);
    if (!outcome.deferred) {
      await logger.logCronRun(cronType, outcome.itemsProcessed, Date.now() - started, { ...base(), ...outcome.context });
    }
    return outcome;
  } catch (error) {
    await logger.logCronError(cronType, error, { ...base(), duration: Date.now() - started, ...progress });
    throw error;
  }
}
