// What each enqueueing producer call turns its input into, validated: the producer adds it to
// Redis now, the outbox helpers store it for the relay to add later. One code path, so a row the
// outbox accepts is exactly a call the producer would have accepted, with the same job id.
import { z } from "zod";
import { JOBS, bookingReminderPayload, deleteRoomPayload, jobIds, parseOrThrow, payPayoutPayload, sendEmailInput, type JobData, type JobName } from "@callastar/queues";
import type { EmailInput } from "./types";

/** A job ready to add: name, validated data and its deterministic id. */
export interface PreparedJob<N extends JobName = JobName> {
  name: N;
  data: JobData<N>;
  jobId: string;
  /** Reminders: the call's time; the job is delayed until callDateTime − the lead at add time. */
  callDateTime?: Date;
}

// Each call's input is parsed as a whole first (a null or a non-object is a ValidationError, not a
// TypeError) and strictly (a key the call does not take is refused, not silently dropped).
/** Input of the reminder calls (schedule and reschedule). */
export const reminderInput = z.strictObject({
  bookingId: bookingReminderPayload.shape.bookingId,
  callDateTime: z.coerce.date({ error: "must be a date" }),
});
/** Input of the reminder cancellation. */
export const reminderCancelInput = bookingReminderPayload.strict();
const roomDeletionInput = deleteRoomPayload.pick({ bookingId: true, roomName: true }).strict();
const payoutInput = payPayoutPayload.pick({ payoutId: true }).strict();

/** What `scheduleBookingReminder` / `rescheduleBookingReminder` take. */
export type BookingReminderInput = z.input<typeof reminderInput>;
/** What `cancelBookingReminder` takes. */
export type BookingReminderCancelInput = z.input<typeof reminderCancelInput>;
/** What `enqueueRoomDeletion` takes. */
export type RoomDeletionInput = z.input<typeof roomDeletionInput>;
/** What `enqueuePayout` takes. */
export type PayoutInput = z.input<typeof payoutInput>;

const payload = <N extends JobName>(name: N, data: unknown): JobData<N> =>
  parseOrThrow(`${name} payload`, JOBS[name].schema, data) as JobData<N>;

/** Each enqueueing producer call's preparation, by the producer method's name. */
export const prepareJob = {
  enqueueEmail(input: EmailInput): PreparedJob<"send-email"> {
    const data = parseOrThrow("email", sendEmailInput, input);
    return { name: "send-email", data, jobId: jobIds.email(data.idempotencyKey) };
  },
  scheduleBookingReminder(input: BookingReminderInput): PreparedJob<"booking-reminder"> {
    const { bookingId: id, callDateTime } = parseOrThrow("booking reminder", reminderInput, input);
    return { name: "booking-reminder", data: payload("booking-reminder", { bookingId: id }), jobId: jobIds.reminder(id), callDateTime };
  },
  enqueueRoomDeletion(input: RoomDeletionInput): PreparedJob<"delete-room"> {
    const { bookingId, roomName } = parseOrThrow("room deletion", roomDeletionInput, input);
    const data = payload("delete-room", { bookingId, roomName, deletedBy: "manual" });
    return { name: "delete-room", data, jobId: jobIds.room(roomName) };
  },
  enqueuePayout(input: PayoutInput): PreparedJob<"pay-payout"> {
    const { payoutId } = parseOrThrow("payout", payoutInput, input);
    return { name: "pay-payout", data: payload("pay-payout", { payoutId, trigger: "manual" }), jobId: jobIds.payout(payoutId) };
  },
};

/** The producer calls the outbox can carry (the ones that only add a job). */
export type OutboxKind = keyof typeof prepareJob;
export const OUTBOX_KINDS = Object.keys(prepareJob) as OutboxKind[];
