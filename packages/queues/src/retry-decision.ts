import { RateLimitError, UnrecoverableError, type Job } from "bullmq";
import { RateLimitedError, isAudited, isDatabaseUnavailable, isPermanent } from "@callastar/errors";

/**
 * What a failed attempt leads to: `wait` (a 429: the queue pauses and no attempt is spent), `fail`
 * (retrying cannot help, or it was the last attempt), `retry` (another attempt follows).
 */
export type RetryAction = "wait" | "fail" | "retry";

/** Where a failed attempt stands: 1-based attempt, the job's maximum, and whether none will follow. */
export interface AttemptInfo {
  attempt: number;
  attempts: number;
  final: boolean;
}

/** The decision for one failed attempt; `permanent` fails it whatever attempts are left. */
export interface RetryDecision extends AttemptInfo {
  action: RetryAction;
  permanent: boolean;
}

/** True for a 429 wait (ours or BullMQ's): it spends no attempt and is not an error outcome. */
export function isRateLimitWait(error: unknown): boolean {
  return error instanceof RateLimitedError || error instanceof RateLimitError || (error instanceof Error && error.name === "RateLimitError");
}

/**
 * True when a failed attempt only met an unreachable PostgreSQL and no handler audited it: the
 * processor puts the job back for a few seconds without spending an attempt or writing a row,
 * however long the outage (a job's attempts are for its own failures: a cron run's three were all
 * spent within seconds of an outage). A handler that audits its own failures leaves such an error
 * unaudited to wait too.
 */
export function waitsOutDatabaseOutage(error: unknown): boolean {
  return isDatabaseUnavailable(error) && !isAudited(error);
}

/** True when no attempt may follow whatever is left: BullMQ's UnrecoverableError or a permanent error. */
export function isUnrecoverable(error: unknown): boolean {
  return error instanceof UnrecoverableError || (error instanceof Error && error.name === "UnrecoverableError") || isPermanent(error);
}

/**
 * The one retry decision (processor, worker runtime and the handlers that audit their own failures
 * all ask it): rate-limited → wait, permanent → fail, else fail on the last attempt and retry before.
 */
export function decideRetry(error: unknown, at: { attempt: number; attempts: number }): RetryDecision {
  const { attempt, attempts } = at;
  if (isRateLimitWait(error)) return { action: "wait", permanent: false, attempt, attempts, final: false };
  const permanent = isUnrecoverable(error);
  const final = permanent || attempt >= attempts;
  return { action: final ? "fail" : "retry", permanent, attempt, attempts, final };
}

/** The attempt a job is on (1-based) and its maximum, as BullMQ counts them before moving it on. */
export function attemptOf(job: Pick<Job, "attemptsMade" | "opts">): { attempt: number; attempts: number } {
  return { attempt: job.attemptsMade + 1, attempts: job.opts.attempts ?? 1 };
}

/** The attempt `error` ends, decided as BullMQ decides it (Job.shouldRetryJob): final when no retry follows. */
export function attemptInfo(job: Pick<Job, "attemptsMade" | "opts">, error: unknown): AttemptInfo {
  const { attempt, attempts, final } = decideRetry(error, attemptOf(job));
  return { attempt, attempts, final };
}
