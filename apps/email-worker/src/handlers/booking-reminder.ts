import { DelayedError, type Job } from "bullmq";
import { auditRows, LogType, type AuditLogger } from "@callastar/audit-log";
import type { DbHandle } from "@callastar/db";
import { idempotencyKeys, type BookingReminderPayload } from "@callastar/queues";
import { auditEmailAttempt, type AttemptJob } from "../attempt-failure";
import { emailAuditIds, insertAuditRowsOnce } from "../audit-once";
import { loadReminderBooking, markReminderSent, type ReminderBooking } from "../booking-query";
import { subjectOf, type Delivery, type Mailer, type PreviousDelivery } from "../mailer";
import { queueReminderEmails, type QueuedEmail } from "../pending-emails";

export interface ReminderDeps {
  db: DbHandle;
  logger: AuditLogger;
  mailer: Mailer;
  appUrl: string;
  leadMs: number;
  /** A reminder for a call that started longer ago than this is not sent. */
  lateToleranceMs?: number;
  now?: () => number;
}

export type ReminderResult =
  | { status: "queued"; emailsQueued: number }
  | { status: "skipped"; reason: "not_found" | "not_confirmed" | "already_sent" | "call_started" };

/**
 * One booking's reminder: re-reads the booking (it may have been cancelled, rescheduled or reminded
 * since the job was created), never queues early, queues the client's and the creator's email for
 * the batch sender and marks `reminderSent`, once (a conditional update in the same statement). A failed attempt writes one
 * EMAIL_ERROR row (with the booking) and rethrows the error marked audited.
 */
export async function processBookingReminder(
  deps: ReminderDeps,
  data: BookingReminderPayload,
  job: AttemptJob & Pick<Job, "moveToDelayed"> & { token?: string },
): Promise<ReminderResult> {
  try {
    return await remind(deps, data, job);
  } catch (error) {
    throw await auditEmailAttempt(deps.logger, job, error, { bookingId: data.bookingId, userId: null, emailType: "booking_reminder" });
  }
}

/** A booking's reminder prepared before its due time (prepare-ahead.ts): the job's own work, without a job. */
export function prepareReminder(deps: ReminderDeps, bookingId: string): Promise<ReminderResult> {
  return remind(deps, { bookingId }, { id: "prepare-ahead", moveToDelayed: async () => {} });
}

async function remind(
  deps: ReminderDeps,
  data: BookingReminderPayload,
  job: Pick<Job, "id" | "moveToDelayed"> & { token?: string },
): Promise<ReminderResult> {
  const now = deps.now ?? Date.now;
  const b = await loadReminderBooking(deps.db, data.bookingId);
  // A skip for good is audited once (a deterministic id: retries and racing sweeps write nothing
  // more); "already sent" is no event of its own, the emails' EMAIL_SENT rows tell it.
  const skip = async (reason: Exclude<ReminderResult, { status: "queued" }>["reason"], extra: Record<string, unknown> = {}) => {
    if (reason !== "already_sent") {
      const row = auditRows.logSuccess(LogType.NOTIFICATION_SENT, `Booking reminder for ${data.bookingId} not sent: ${reason}`, {
        bookingId: data.bookingId,
        emailType: "booking_reminder",
        skipped: true,
        reason,
        jobId: job.id,
        ...(b ? { callDateTime: b.callDateTime.toISOString() } : {}),
        ...extra,
      });
      await insertAuditRowsOnce(deps.db.sql, [{ ...row, id: emailAuditIds.reminderSkip(data.bookingId, b?.callDateTime ?? null) }]);
    }
    return { status: "skipped", reason } as const;
  };
  if (!b) return skip("not_found");
  if (b.status !== "CONFIRMED") return skip("not_confirmed", { bookingStatus: b.status });
  if (b.reminderSent) return skip("already_sent");
  const dueAt = b.callDateTime.getTime() - deps.leadMs;
  if (now() < dueAt - 1_000 && job.token) {
    // The call was moved later without the producer being told: wait for the new due time.
    await job.moveToDelayed(dueAt, job.token);
    throw new DelayedError();
  }
  if (now() > b.callDateTime.getTime() + (deps.lateToleranceMs ?? 5 * 60_000)) return skip("call_started");
  const emailsQueued = await queueBoth(deps, b);
  // A racing run marked the booking between our read and our statement.
  return emailsQueued === null ? skip("already_sent") : { status: "queued", emailsQueued };
}

// Both emails are rendered and queued for the batch sender, which sends the reminders of many
// bookings per request (batch-sender.ts); queuing them and marking `reminderSent` commit in one
// statement, so a retry or a racing sweep queues nothing more.
async function queueBoth(deps: ReminderDeps, b: ReminderBooking): Promise<number | null> {
  const bookingUrl = `${deps.appUrl.replace(/\/$/, "")}/bookings/${b.id}`;
  const callDateTime = b.callDateTime.toISOString();
  const common = { callDateTime, bookingUrl, ...(b.callTitle ? { callTitle: b.callTitle } : {}) };
  const emails: Array<[Delivery, PreviousDelivery | null]> = [
    [
      {
        payload: {
          template: "booking_reminder_client",
          props: { ...common, recipientName: b.client.name, creatorName: b.creator.name, timeZone: b.client.timezone },
        },
        to: b.client.email,
        idempotencyKey: idempotencyKeys.reminderEmail(b.id, "client"),
        bookingId: b.id,
        userId: b.client.id,
        context: { recipientName: b.client.name, creatorName: b.creator.name, callDateTime },
      },
      b.clientDelivery,
    ],
    [
      {
        payload: {
          template: "booking_reminder_creator",
          props: { ...common, recipientName: b.creator.name, clientName: b.client.name, timeZone: b.creator.timezone },
        },
        to: b.creator.email,
        idempotencyKey: idempotencyKeys.reminderEmail(b.id, "creator"),
        bookingId: b.id,
        userId: b.creator.id,
        context: { recipientName: b.creator.name, clientName: b.client.name, callDateTime },
      },
      b.creatorDelivery,
    ],
  ];
  const queued: QueuedEmail[] = [];
  for (const [delivery, previous] of emails) {
    // A recorded email committed with its audit row: nothing to queue or complete.
    if (!previous) queued.push({ subject: subjectOf(delivery), message: await deps.mailer.message(delivery) });
  }
  if (queued.length === 0) {
    await markReminderSent(deps.db, b.id);
    return 0;
  }
  return (await queueReminderEmails(deps.db.sql, b.id, b.callDateTime, queued)) ? queued.length : null;
}
