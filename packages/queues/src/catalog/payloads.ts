import { z } from "zod";
import { emailUnion } from "@callastar/email-schemas";

// Payload schemas are additive: new fields are optional so jobs already in Redis still parse.
const id = z.string().min(1, "must not be empty").max(191).regex(/^[A-Za-z0-9_-]+$/, "must be [A-Za-z0-9_-]");

export const cronRunPayload = z.object({
  trigger: z.enum(["schedule", "manual"]).default("schedule"),
  requestedBy: z.string().max(200).optional(),
});

export const bookingReminderPayload = z.object({ bookingId: id });

// Who receives an email and what names it, beside the template's `{ template, props }`.
const emailEnvelope = {
  to: z.email("must be an email address"),
  /**
   * Resend Idempotency-Key and EmailDelivery key: the same key never sends twice, so it names this
   * one message (e.g. `payment_received:<paymentId>`). Required: no default can know what makes
   * two emails distinct, and a wrong guess drops legitimate ones silently.
   */
  idempotencyKey: z
    .string({ error: "is required: a key unique to this message, e.g. payment_received:<paymentId>" })
    .min(1, "must not be empty")
    .max(256, "must be at most 256 characters (Resend's limit)"),
  bookingId: id.optional(),
  userId: id.optional(),
};

/** A send-email job as the worker reads it: keys a newer producer added are ignored. */
export const sendEmailPayload = emailUnion(emailEnvelope, "strip");
/** What the producer accepts for an email: discriminated on `template`, nothing undeclared (so no other template's props). */
export const sendEmailInput = emailUnion(emailEnvelope, "strict");

export const deleteRoomPayload = z.object({
  bookingId: id,
  roomName: z.string().min(1).max(128).regex(/^[A-Za-z0-9_-]+$/, "must be a Daily room name ([A-Za-z0-9_-])"),
  deletedBy: z.enum(["cron_job", "manual"]).default("manual"),
});

export const payPayoutPayload = z.object({
  payoutId: id,
  // "recovery": re-enqueued by the payout worker for a payable payout whose job was no longer in flight.
  trigger: z.enum(["process-payouts", "process-automatic-payouts", "manual", "recovery"]).default("manual"),
});

/** Data of the parent job that closes a fanned-out cron run and writes its CRON_RUN row. */
export const cronSummaryPayload = z.object({
  cronType: z.string().min(1),
  runJobId: z.string().min(1),
  /** The run's queue (its "CronRun" key); absent in summaries queued before it was added: the summary's own queue. */
  runQueue: z.string().min(1).optional(),
  startedAt: z.iso.datetime(),
  trigger: z.enum(["schedule", "manual"]),
  /** Counts known when the run fanned out (skipped, already scheduled, …), merged into CRON_RUN. */
  counts: z.record(z.string(), z.number()).default({}),
  context: z.record(z.string(), z.unknown()).default({}),
});

export type CronRunPayload = z.infer<typeof cronRunPayload>;
export type BookingReminderPayload = z.infer<typeof bookingReminderPayload>;
export type SendEmailPayload = z.infer<typeof sendEmailPayload>;
export type DeleteRoomPayload = z.infer<typeof deleteRoomPayload>;
export type PayPayoutPayload = z.infer<typeof payPayoutPayload>;
export type CronSummaryPayload = z.infer<typeof cronSummaryPayload>;
