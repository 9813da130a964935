// Recording what the provider accepted: the EmailDelivery rows and their EMAIL_SENT rows in one
// statement (see delivery-statement.ts), for ad-hoc sends and batches alike.
import type { DbHandle, Sql } from "@callastar/db";
import { auditRows } from "@callastar/audit-log";
import { emailAuditIds } from "./audit-once";
import { recordDeliveries } from "./delivery-statement";

/** One email the provider accepted, as it is recorded and audited. */
export interface AcceptedEmail {
  idempotencyKey: string;
  emailType: string;
  to: string;
  bookingId: string | null;
  userId: string | null;
  /** Extra audit context (recipientName, callDateTime, batchId, …). */
  context: Record<string, unknown>;
  subject: string;
  providerMessageId: string;
}

/** A delivery already recorded for an idempotency key. */
export interface PreviousDelivery {
  id: string | null;
  createdAt: Date;
}

/** What an audit row says of an email, whatever its outcome. */
export type EmailSubject = Omit<AcceptedEmail, "subject" | "providerMessageId">;

/** Writes delivery records with their audit rows; `transportName` goes into each row's context. */
export function createEmailRecorder(db: DbHandle, transportName: string) {
  const contextOf = (e: EmailSubject) => ({ recipientEmail: e.to, idempotencyKey: e.idempotencyKey, transport: transportName, ...e.context });
  const sentRow = (e: EmailSubject, extra: Record<string, unknown>) => ({
    ...auditRows.logEmailSent(e.bookingId, e.userId, e.emailType, { ...contextOf(e), ...extra }),
    id: emailAuditIds.emailSent(e.idempotencyKey),
  });
  return {
    contextOf,
    /** Records `accepted` and their EMAIL_SENT rows in one statement (on `sql`: a transaction's, or the pool). */
    async record(accepted: readonly AcceptedEmail[], sql: Pick<Sql, "unsafe"> = db.sql, remindedBookingId: string | null = null): Promise<void> {
      if (accepted.length === 0 && !remindedBookingId) return;
      const deliveries = accepted.map((e) => ({
        record: {
          idempotencyKey: e.idempotencyKey,
          emailType: e.emailType,
          bookingId: e.bookingId,
          userId: e.userId,
          recipientEmail: e.to,
          providerMessageId: e.providerMessageId,
        },
        auditRow: sentRow(e, { subject: e.subject, providerMessageId: e.providerMessageId }),
      }));
      await recordDeliveries(sql, deliveries, remindedBookingId);
    },
  };
}

export type EmailRecorder = ReturnType<typeof createEmailRecorder>;
