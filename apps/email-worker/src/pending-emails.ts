// Due reminders wait in "PendingEmail" for the batch sender (batch-sender.ts). Queuing them and
// marking the booking reminded is one statement: the conditional mark makes a second run (a retry,
// a racing sweep) queue nothing, and the emails cannot be lost once the mark is committed.
import type { MailMessage } from "@callastar/emails";
import type { Sql } from "@callastar/db";
import type { EmailSubject } from "./email-record";

/** A rendered email ready for a batch. */
export interface QueuedEmail {
  subject: EmailSubject;
  message: MailMessage;
}

/** Batches take reminders before any other email. */
export const REMINDER_PRIORITY = 0;

const QUEUE_REMINDER = `
WITH m AS (
  UPDATE "Booking" SET "reminderSent" = true
  WHERE id = $1 AND NOT "reminderSent" AND status = 'CONFIRMED' RETURNING 1)
INSERT INTO "PendingEmail" ("idempotencyKey", priority, "emailType", "bookingId", "userId", "recipientEmail", "callDateTime", message, "auditContext")
SELECT k, ${REMINDER_PRIORITY}, t, $1, u, r, $2::timestamp(3), msg, ctx::jsonb
FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) AS v(k, t, u, r, msg, ctx)
WHERE EXISTS (SELECT 1 FROM m)
ON CONFLICT ("idempotencyKey") DO NOTHING`;

/**
 * Queues a booking's reminder emails and marks its reminder sent, once: false when the booking
 * was already marked (or is no longer CONFIRMED) and nothing was queued.
 */
export async function queueReminderEmails(sql: Sql, bookingId: string, callDateTime: Date, emails: readonly QueuedEmail[]): Promise<boolean> {
  const col = <T>(f: (e: QueuedEmail) => T) => emails.map(f);
  const result = await sql.unsafe(
    QUEUE_REMINDER,
    [
      bookingId,
      callDateTime.toISOString(),
      col((e) => e.subject.idempotencyKey),
      col((e) => e.subject.emailType),
      col((e) => e.subject.userId),
      col((e) => e.subject.to),
      col((e) => JSON.stringify(e.message)),
      col((e) => JSON.stringify(e.subject.context)),
    ] as never,
    { prepare: true },
  );
  return result.count > 0;
}
