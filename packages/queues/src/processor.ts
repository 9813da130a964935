import { DelayedError, UnrecoverableError, type Job } from "bullmq";
import { RateLimitedError, ValidationError, isAudited, markAudited } from "@callastar/errors";
import type { ProcessLog } from "@callastar/process-log";
import { JOBS, isJobName, type JobData, type JobsOfQueue } from "./catalog/jobs";
import type { QueueName } from "./catalog/queues";
import { jobLogFields } from "./job-fields";
import { attemptInfo, attemptOf, decideRetry, isRateLimitWait, waitsOutDatabaseOutage, type AttemptInfo } from "./retry-decision";
import { parseOrThrow } from "./validate";

/** One handler per job of the queue: a missing handler is a type error. */
export type QueueHandlers<Q extends QueueName> = {
  [N in JobsOfQueue<Q>]: (data: JobData<N>, job: Job) => Promise<unknown>;
};

export interface ProcessorHooks {
  /** Called once for a payload that does not match its schema, before the job fails for good. */
  onMalformed(job: Job, error: ValidationError): Promise<void>;
  /** Called for a job taken again after more than `maxStalledCount` crashes, before it fails for good. */
  onStalledTooOften(job: Job, error: UnrecoverableError): Promise<void>;
  /** Called for a failed attempt whose error no handler audited (never for a rate-limit wait). */
  onFailedAttempt(job: Job, error: unknown, attempt: AttemptInfo): Promise<void>;
  /** Called when a 429 put a job back (for the rate-limit-wait metric; never an error row). */
  onRateLimited?(job: Job): void;
  /** Crashes a job survives; the next time it is taken it fails (Infinity: never). */
  maxStalledCount: number;
  /** The process log; each job logs through a child bound to its queue, id, name, attempt and entity ids. */
  log?: ProcessLog;
  /** How long a job waits before trying again while PostgreSQL is unreachable (default {@link DATABASE_RECHECK_MS}). */
  databaseRecheckMs?: number;
}

/** A job that meets an unreachable PostgreSQL tries again after about this long. */
export const DATABASE_RECHECK_MS = 3_000;

/**
 * Wraps typed handlers into a BullMQ processor: fails a job that crashed its workers too often,
 * re-validates `job.data` (a malformed payload fails on its first attempt), turns permanent errors
 * into UnrecoverableError (no retry) and a 429 into a delay of `retry-after` that does not spend
 * an attempt (the job is moved back to delayed, BullMQ's own way to re-schedule it from a processor). A job that finds PostgreSQL unreachable (an error no handler audited) is
 * put back for a few seconds without spending an attempt either, however long the outage lasts, so
 * a cron run due during it runs once the server is back. Every failure leaves with exactly one audit row: the
 * handler's (it marked the error audited) or the hooks' — written before the job moves on, then
 * marked audited.
 */
export function createProcessor<Q extends QueueName>(
  queue: Q,
  handlers: QueueHandlers<Q>,
  hooks: ProcessorHooks,
): (job: Job, token?: string) => Promise<unknown> {
  return async (job, token) => {
    // Bound only when a line is written: at the default level a successful job costs no child logger.
    let bound: ProcessLog | undefined;
    const log = () => (bound ??= hooks.log?.child(jobLogFields(job)));
    if (job.stalledCounter > hooks.maxStalledCount) {
      const error = new UnrecoverableError(`job stalled ${job.stalledCounter} times (its workers died while running it; limit ${hooks.maxStalledCount})`);
      log()?.error({ err: error, stalls: job.stalledCounter }, "job failed for good: stalled too often");
      await hooks.onStalledTooOften(job, error);
      throw markAudited(error);
    }
    if (!isJobName(job.name) || JOBS[job.name].queue !== queue || !(job.name in handlers)) {
      const error = new ValidationError(`job on queue ${queue}`, [
        { path: "name", message: `unknown job name "${job.name}"` },
      ]);
      log()?.error({ err: error }, "malformed job refused");
      await hooks.onMalformed(job, error);
      throw markAudited(new UnrecoverableError(error.message));
    }
    const def = JOBS[job.name];
    let data: unknown;
    try {
      data = parseOrThrow(`${job.name} payload`, def.schema, job.data);
    } catch (error) {
      if (error instanceof ValidationError) {
        log()?.error({ err: error }, "malformed job refused");
        await hooks.onMalformed(job, error);
        throw markAudited(new UnrecoverableError(error.message));
      }
      throw error;
    }
    const handler = (handlers as Record<string, (data: unknown, job: Job) => Promise<unknown>>)[job.name]!;
    const started = Date.now();
    try {
      const result = await handler(data, job);
      if (hooks.log?.isLevelEnabled("debug")) log()?.debug({ durationMs: Date.now() - started }, "job completed");
      return result;
    } catch (error) {
      if (token && waitsOutDatabaseOutage(error)) {
        const delayMs = Math.round((hooks.databaseRecheckMs ?? DATABASE_RECHECK_MS) * (0.75 + Math.random() / 2));
        // Moved back before throwing: BullMQ then leaves the job where this put it, attempts unspent.
        await job.moveToDelayed(Date.now() + delayMs, token);
        log()?.warn({ err: error, retryInMs: delayMs }, `PostgreSQL unreachable: job put back for ${delayMs} ms without spending an attempt`);
        throw new DelayedError(`PostgreSQL unreachable; tried again in ${delayMs} ms`);
      }
      if (isRateLimitWait(error)) {
        hooks.onRateLimited?.(job);
        const retryAfterMs = error instanceof RateLimitedError ? Math.max(error.retryAfterMs, 50) : 1_000;
        log()?.info({ retryAfterMs }, "rate limited: job put back without spending an attempt");
        if (!token) throw error;
        await job.moveToDelayed(Date.now() + retryAfterMs, token);
        throw new DelayedError(`rate limited; tried again in ${retryAfterMs} ms`);
      }
      const translated = translateError(error, job);
      const attempt = attemptInfo(job, translated);
      log()?.[attempt.final ? "error" : "warn"]({ err: error, attempts: attempt.attempts, final: attempt.final, durationMs: Date.now() - started }, attempt.final ? "job failed for good" : "job failed; will retry");
      if (isAudited(translated)) throw translated;
      await hooks.onFailedAttempt(job, translated, attempt);
      throw markAudited(translated);
    }
  };
}

function translateError(error: unknown, job: Job): unknown {
  const decision = decideRetry(error, attemptOf(job));
  if (!decision.permanent || (error instanceof Error && error.name === "UnrecoverableError")) return error;
  const message = error instanceof Error ? error.message : String(error);
  const unrecoverable = new UnrecoverableError(message);
  (unrecoverable as Error & { cause?: unknown }).cause = error;
  // The handler's row (if it wrote one) covers the translated error too.
  return isAudited(error) ? markAudited(unrecoverable) : unrecoverable;
}
