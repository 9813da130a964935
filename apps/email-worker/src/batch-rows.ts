// The audit rows of the batch path, each with a deterministic id: a retried transaction, a copy
// that took the batch over or a racing repair writes nothing more (ON CONFLICT DO NOTHING).
import type { StoredRow } from "@callastar/audit-log";
import { auditRows, LogType } from "@callastar/audit-log";
import { emailAuditIds } from "./audit-once";
import type { EmailSubject } from "./email-record";

/** Deterministic `Log.id`s of the batch path. */
const batchAuditIds = {
  /** A batched email's final failure (Resend refused it). */
  emailFailed: (idempotencyKey: string) => `email-failed:${idempotencyKey}`,
  /** Failed attempt `attempt` (1, 2, …) of a batch request: committed with the batch's attempt counter. */
  attempt: (batchId: string, attempt: number) => `email-batch-attempt:${batchId}:${attempt}`,
  /** The batch's emails left in the "unknown" state (perhaps delivered, not resolvable by retrying). */
  unknown: (batchId: string) => `email-batch-unknown:${batchId}`,
};

/** What a batch-wide row says of its emails. */
function batchContext(batchId: string, subjects: readonly EmailSubject[]) {
  return {
    batchId,
    emails: subjects.length,
    bookingIds: [...new Set(subjects.map((s) => s.bookingId).filter(Boolean))].slice(0, 100),
  };
}

const errorType = (error: unknown) => (error instanceof Error ? error.name : typeof error);

/** The final EMAIL_ERROR row of one email Resend refused. */
export function failedRow(context: Record<string, unknown>, subject: EmailSubject, error: unknown): StoredRow {
  return {
    ...auditRows.logEmailError(subject.bookingId, subject.userId, subject.emailType, error, { ...context, stage: "send", final: true }),
    id: batchAuditIds.emailFailed(subject.idempotencyKey),
  };
}

/** One failed attempt of a batch request (not final: the same request goes again). */
export function attemptRow(batchId: string, attempt: number, error: unknown, subjects: readonly EmailSubject[]): StoredRow {
  return {
    ...auditRows.logEmailError(null, null, "batch", error, {
      ...batchContext(batchId, subjects),
      attempt,
      final: false,
      stage: "send",
      errorType: errorType(error),
    }),
    id: batchAuditIds.attempt(batchId, attempt),
  };
}

/** The batch's emails left "unknown": not a final failure (they may have been delivered), for an operator. */
export function unknownRow(batchId: string, reason: string, error: unknown, subjects: readonly EmailSubject[]): StoredRow {
  return {
    ...auditRows.logEmailError(null, null, "batch", error, {
      ...batchContext(batchId, subjects),
      final: false,
      outcome: "unknown",
      reason,
      stage: "send",
      idempotencyKeys: subjects.map((s) => s.idempotencyKey).slice(0, 100),
      errorType: errorType(error),
    }),
    id: batchAuditIds.unknown(batchId),
  };
}

/** A stale member of a batch, as the store reads it. */
export interface StaleMember {
  key: string;
  bookingId: string | null;
  /** ISO, as the email announced it. */
  callDateTime: string | null;
  status: string | null;
  delivered: boolean;
}

/** The NOTIFICATION_SENT `skipped: true` row of a reminder that left its batch before the request. */
export function skipRow(s: StaleMember): StoredRow {
  const reason = s.status === null ? "not_found" : s.status !== "CONFIRMED" ? "not_confirmed" : "call_moved";
  const row = auditRows.logSuccess(LogType.NOTIFICATION_SENT, `Booking reminder for ${s.bookingId} not sent: ${reason}`, {
    bookingId: s.bookingId,
    emailType: "booking_reminder",
    skipped: true,
    reason,
    stage: "batch",
    ...(s.callDateTime ? { callDateTime: s.callDateTime } : {}),
    ...(s.status && s.status !== "CONFIRMED" ? { bookingStatus: s.status } : {}),
  });
  const at = s.status === null || !s.callDateTime ? null : new Date(s.callDateTime);
  return { ...row, id: emailAuditIds.reminderSkip(s.bookingId!, at) };
}

// A booking's two reminder emails give one skip row.
export const dedupeRows = (rows: StoredRow[]) => [...new Map(rows.map((r) => [r.id, r])).values()];
