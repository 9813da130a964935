// One EMAIL_ERROR row per failed attempt of a reminder or an ad-hoc email, written by the handler
// (which knows the booking and the email) and marked audited so the worker runtime adds none.
import { DelayedError, UnrecoverableError, type Job } from "bullmq";
import { RateLimitedError, isAudited, isPermanent, markAudited } from "@callastar/errors";
import type { AuditLogger } from "@callastar/audit-log";
import { failureNote } from "./email-failure";

/** What the handlers read of their job. */
export type AttemptJob = Pick<Job, "id" | "name" | "attemptsMade" | "opts">;

/** The context every error row carries: which job, which attempt of how many, and whether another follows. */
function attemptContext(job: AttemptJob, error: unknown) {
  const attempt = job.attemptsMade + 1;
  const attempts = Math.max(1, job.opts.attempts ?? 1);
  const final = isPermanent(error) || error instanceof UnrecoverableError || attempt >= attempts;
  return { jobId: job.id ?? null, jobName: job.name, attempt, attempts, final };
}

// A 429 puts the job back without spending an attempt, and a re-delayed reminder waits for its
// new due time: neither is a failure.
const isFailure = (error: unknown) => !(error instanceof RateLimitedError || error instanceof DelayedError);

/** The subject of a job's error row when the failure names no single email. */
export interface AttemptSubject {
  bookingId: string | null;
  userId: string | null;
  emailType: string;
  context?: Record<string, unknown>;
}

/**
 * Writes the attempt's EMAIL_ERROR row (none for a 429 or a re-delay, none if already written) and
 * returns the error marked audited, for `throw await auditEmailAttempt(...)`.
 */
export async function auditEmailAttempt(logger: AuditLogger, job: AttemptJob, error: unknown, subject: AttemptSubject): Promise<unknown> {
  if (!isFailure(error) || isAudited(error)) return error;
  const note = failureNote(error);
  const email = note?.emails.length === 1 ? note.emails[0] : undefined;
  await logger.logEmailError(subject.bookingId, email ? (email.userId ?? null) : subject.userId, email?.payload.template ?? subject.emailType, error, {
    ...subject.context,
    ...(email ? { recipientEmail: email.to, idempotencyKey: email.idempotencyKey } : {}),
    ...(note && note.emails.length > 1 ? { emails: note.emails.map((e) => e.payload.template) } : {}),
    stage: note?.stage ?? "job",
    errorType: error instanceof Error ? error.name : typeof error,
    ...attemptContext(job, error),
  });
  return markAudited(error);
}
