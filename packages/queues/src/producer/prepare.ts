// What each enqueueing producer call turns its input into, validated: the producer adds it to
// Redis now, the outbox helpers store it for the relay to add later. One code path, so a row the
// outbox accepts is exactly a call the producer would have accepted, with the same job id.
import { z } from "zod";
import { JOBS, type JobData, type JobName } from "../catalog/jobs";
import { jobIds } from "../job-ids";
import { parseOrThrow } from "../validate";
import type { EmailInput } from "./types";

/** A job ready to add: name, validated data and its deterministic id. */
export interface PreparedJob<N extends JobName = JobName> {
  name: N;
  data: JobData<N>;
  jobId: string;
  /** Reminders: the call's time; the job is delayed until callDateTime − the lead at add time. */
  callDateTime?: Date;
}

const bookingId = z.string().min(1).max(191).regex(/^[A-Za-z0-9_-]+$/, "must be [A-Za-z0-9_-]");
/** Input of the reminder calls (schedule and reschedule). */
export const reminderInput = z.object({ bookingId, callDateTime: z.coerce.date({ error: "must be a date" }) });
/** Input of the reminder cancellation. */
export const reminderCancelInput = z.object({ bookingId });

const payload = <N extends JobName>(name: N, data: unknown): JobData<N> =>
  parseOrThrow(`${name} payload`, JOBS[name].schema, data) as JobData<N>;

/** Each enqueueing producer call's preparation, by the producer method's name. */
export const prepareJob = {
  enqueueEmail(input: EmailInput): PreparedJob<"send-email"> {
    // Validated first: a missing key (or a null input) is a ValidationError naming the field.
    const data = payload("send-email", input);
    return { name: "send-email", data, jobId: jobIds.email(data.idempotencyKey) };
  },
  scheduleBookingReminder(input: { bookingId: string; callDateTime: Date | string }): PreparedJob<"booking-reminder"> {
    const { bookingId: id, callDateTime } = parseOrThrow("booking reminder", reminderInput, input);
    return { name: "booking-reminder", data: payload("booking-reminder", { bookingId: id }), jobId: jobIds.reminder(id), callDateTime };
  },
  enqueueRoomDeletion(input: { bookingId: string; roomName: string }): PreparedJob<"delete-room"> {
    const data = { bookingId: input.bookingId, roomName: input.roomName, deletedBy: "manual" as const };
    return { name: "delete-room", data: payload("delete-room", data), jobId: jobIds.room(String(input.roomName)) };
  },
  enqueuePayout(input: { payoutId: string }): PreparedJob<"pay-payout"> {
    const data = { payoutId: input.payoutId, trigger: "manual" as const };
    return { name: "pay-payout", data: payload("pay-payout", data), jobId: jobIds.payout(String(input.payoutId)) };
  },
};

/** The producer calls the outbox can carry (the ones that only add a job). */
export type OutboxKind = keyof typeof prepareJob;
export const OUTBOX_KINDS = Object.keys(prepareJob) as OutboxKind[];
