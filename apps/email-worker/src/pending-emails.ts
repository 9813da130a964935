// Emails wait in "PendingEmail" for the batch sender (batch-sender.ts). Queuing a booking's reminders
// and marking the booking reminded is one statement: the conditional mark makes a second run (a
// retry, a racing sweep) queue nothing, and the emails cannot be lost once the mark is committed.
// An ad-hoc email is queued under its own idempotency key, once (ON CONFLICT DO NOTHING).
import type { MailMessage } from "@callastar/emails";
import type { Sql } from "@callastar/db";
import type { EmailSubject } from "./email-record";

/** A rendered email ready for a batch. */
export interface QueuedEmail {
  subject: EmailSubject;
  message: MailMessage;
}

/** Batches take reminders before any other email (the lane rules: email-batches.ts). */
export const REMINDER_PRIORITY = 0;
/** Ad-hoc emails (`send-email` jobs): after due reminders, filling the room they leave. */
export const ADHOC_PRIORITY = 1;

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

// Not queued again once delivered (by any path); a retried or duplicated job finds its row.
const QUEUE_ADHOC = `
INSERT INTO "PendingEmail" ("idempotencyKey", priority, "emailType", "bookingId", "userId", "recipientEmail", message, "auditContext")
SELECT $1, ${ADHOC_PRIORITY}, $2, $3, $4, $5, $6, $7::jsonb
WHERE NOT EXISTS (SELECT 1 FROM "EmailDelivery" d WHERE d."idempotencyKey" = $1)
ON CONFLICT ("idempotencyKey") DO NOTHING`;

/** Queues an ad-hoc email for the batch sender: false when its key is already queued or delivered. */
export async function queueAdhocEmail(sql: Pick<Sql, "unsafe">, email: QueuedEmail): Promise<boolean> {
  const { subject, message } = email;
  const result = await sql.unsafe(
    QUEUE_ADHOC,
    [subject.idempotencyKey, subject.emailType, subject.bookingId, subject.userId, subject.to, JSON.stringify(message), JSON.stringify(subject.context)],
    { prepare: true },
  );
  return result.count > 0;
}
