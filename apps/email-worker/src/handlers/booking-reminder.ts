import { DelayedError, type Job } from "bullmq";
import { auditRows, LogType, type AuditLogger } from "@callastar/logger";
import type { DbHandle } from "@callastar/db";
import { idempotencyKeys, type BookingReminderPayload } from "@callastar/queues";
import { auditEmailAttempt, type AttemptJob } from "../attempt-failure";
import { emailAuditIds, insertAuditRowsOnce } from "../audit-once";
import { loadReminderBooking, markReminderSent, type ReminderBooking } from "../booking-query";
import type { Delivery, Mailer, PreviousDelivery } from "../mailer";

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
  | { status: "sent"; emailsSent: number }
  | { status: "skipped"; reason: "not_found" | "not_confirmed" | "already_sent" | "call_started" };

/**
 * One booking's reminder: re-reads the booking (it may have been cancelled, rescheduled or reminded
 * since the job was created), never sends early, sends the client's and the creator's email once
 * each, then marks `reminderSent` with a conditional update. A failed attempt writes one
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

async function remind(
  deps: ReminderDeps,
  data: BookingReminderPayload,
  job: Pick<Job, "id" | "moveToDelayed"> & { token?: string },
): Promise<ReminderResult> {
  const now = deps.now ?? Date.now;
  const b = await loadReminderBooking(deps.db, data.bookingId);
  // A skip for good is audited once (a deterministic id: retries and racing sweeps write nothing
  // more); "already sent" is no event of its own, the emails' EMAIL_SENT rows tell it.
  const skip = async (reason: Exclude<ReminderResult, { status: "sent" }>["reason"], extra: Record<string, unknown> = {}) => {
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
  const emailsSent = await sendBoth(deps, b);
  return { status: "sent", emailsSent };
}

// Both emails go out as one request (one rate-limit token; Resend's batch endpoint, all or none),
// then both deliveries, their audit rows and `reminderSent` commit in one statement. A crash
// between the send and that statement makes the retry send the same batch with the same
// Idempotency-Key, which Resend answers from its replay cache without delivering again.
async function sendBoth(deps: ReminderDeps, b: ReminderBooking): Promise<number> {
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
  const unsent: Delivery[] = [];
  for (const [delivery, previous] of emails) {
    if (previous) await deps.mailer.alreadySent(delivery, previous);
    else unsent.push(delivery);
  }
  const result = await deps.mailer.sendAll(unsent, idempotencyKeys.reminderBatch(b.id));
  const { sent } = result;
  if ("failure" in result) {
    // One email could not go (the creator's address refused, say): the other, already accepted,
    // is recorded and audited now rather than left to a retry that may never come.
    await deps.mailer.record(sent);
    throw result.failure;
  }
  if (sent.length > 0) await deps.mailer.record(sent, b.id);
  else await markReminderSent(deps.db, b.id);
  return sent.length;
}
