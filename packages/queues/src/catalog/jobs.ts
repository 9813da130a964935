import type { JobsOptions } from "bullmq";
import type { z } from "zod";
import { cronJobOptions, entityJobOptions } from "./job-options";
import {
  bookingReminderPayload,
  cronRunPayload,
  cronSummaryPayload,
  deleteRoomPayload,
  payPayoutPayload,
  sendEmailPayload,
} from "./payloads";
import type { QueueName } from "./queues";

export interface JobDefinition<Q extends QueueName = QueueName, S extends z.ZodType = z.ZodType> {
  queue: Q;
  schema: S;
  options: JobsOptions;
}

const job = <Q extends QueueName, S extends z.ZodType>(queue: Q, schema: S, options: JobsOptions): JobDefinition<Q, S> => ({
  queue,
  schema,
  options,
});

/** Every job of the system by name: its queue, payload schema and default options. */
export const JOBS = {
  "send-booking-reminders": job("reminders", cronRunPayload, cronJobOptions),
  // Reminders are worthless late: short backoff, and the sweep re-enqueues any that failed.
  "booking-reminder": job("reminders", bookingReminderPayload, entityJobOptions(6, 2_000)),
  "send-email": job("emails", sendEmailPayload, entityJobOptions(8, 5_000)),
  "cleanup-daily-rooms": job("rooms", cronRunPayload, cronJobOptions),
  "delete-room": job("rooms", deleteRoomPayload, entityJobOptions(8, 5_000)),
  "rooms-summary": job("rooms", cronSummaryPayload, entityJobOptions(5, 1_000)),
  "process-payouts": job("payouts", cronRunPayload, cronJobOptions),
  "process-automatic-payouts": job("payouts", cronRunPayload, cronJobOptions),
  "pay-payout": job("payouts", payPayoutPayload, entityJobOptions(8, 10_000)),
  "payouts-summary": job("payouts", cronSummaryPayload, entityJobOptions(5, 1_000)),
  "cleanup-logs": job("maintenance", cronRunPayload, cronJobOptions),
  "verify-audit": job("maintenance", cronRunPayload, cronJobOptions),
  "prune-job-outbox": job("maintenance", cronRunPayload, cronJobOptions),
} as const;

export type JobName = keyof typeof JOBS;
export type JobData<N extends JobName> = z.output<(typeof JOBS)[N]["schema"]>;
export type JobInput<N extends JobName> = z.input<(typeof JOBS)[N]["schema"]>;
export type JobsOfQueue<Q extends QueueName> = { [N in JobName]: (typeof JOBS)[N]["queue"] extends Q ? N : never }[JobName];

/** True when `name` is a job of the catalog. */
export function isJobName(name: string): name is JobName {
  return Object.prototype.hasOwnProperty.call(JOBS, name);
}
