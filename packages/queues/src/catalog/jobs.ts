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
import type { LogTypeName } from "./log-types";
import type { QueueName } from "./queues";

/** What a job is: one cron run, the summary closing a fanned-out run, or work on one entity. */
export type JobRole = "cron" | "summary" | "entity";

export interface JobDefinition<Q extends QueueName = QueueName, S extends z.ZodType = z.ZodType> {
  queue: Q;
  schema: S;
  options: JobsOptions;
  role: JobRole;
  /** Log type of the error row the runtime writes for a failure no handler audited (stall, malformed, throw). */
  errorLogType: LogTypeName;
}

const job = <Q extends QueueName, S extends z.ZodType>(
  queue: Q,
  schema: S,
  options: JobsOptions,
  role: JobRole,
  errorLogType: LogTypeName,
): JobDefinition<Q, S> => ({ queue, schema, options, role, errorLogType });

/** Every job of the system by name: its queue, payload schema and default options. */
export const JOBS = {
  // A cron's failure is CRON_ERROR whatever queue it runs on (the spec's type), not its queue's type.
  "send-booking-reminders": job("reminders", cronRunPayload, cronJobOptions, "cron", "CRON_ERROR"),
  // Reminders are worthless late: short backoff, and the sweep re-enqueues any that failed.
  "booking-reminder": job("reminders", bookingReminderPayload, entityJobOptions(6, 2_000), "entity", "EMAIL_ERROR"),
  "send-email": job("emails", sendEmailPayload, entityJobOptions(8, 5_000), "entity", "EMAIL_ERROR"),
  "cleanup-daily-rooms": job("rooms", cronRunPayload, cronJobOptions, "cron", "CRON_ERROR"),
  "delete-room": job("rooms", deleteRoomPayload, entityJobOptions(8, 5_000), "entity", "DAILY_ROOM_ERROR"),
  "rooms-summary": job("rooms", cronSummaryPayload, entityJobOptions(5, 1_000), "summary", "CRON_ERROR"),
  "process-payouts": job("payouts", cronRunPayload, cronJobOptions, "cron", "CRON_ERROR"),
  "process-automatic-payouts": job("payouts", cronRunPayload, cronJobOptions, "cron", "CRON_ERROR"),
  "pay-payout": job("payouts", payPayoutPayload, entityJobOptions(8, 10_000), "entity", "PAYOUT_ERROR"),
  "payouts-summary": job("payouts", cronSummaryPayload, entityJobOptions(5, 1_000), "summary", "CRON_ERROR"),
  "cleanup-logs": job("maintenance", cronRunPayload, cronJobOptions, "cron", "CRON_ERROR"),
  "verify-audit": job("maintenance", cronRunPayload, cronJobOptions, "cron", "CRON_ERROR"),
  "prune-job-outbox": job("maintenance", cronRunPayload, cronJobOptions, "cron", "CRON_ERROR"),
} as const;

export type JobName = keyof typeof JOBS;
export type JobData<N extends JobName> = z.output<(typeof JOBS)[N]["schema"]>;
export type JobInput<N extends JobName> = z.input<(typeof JOBS)[N]["schema"]>;
export type JobsOfQueue<Q extends QueueName> = { [N in JobName]: (typeof JOBS)[N]["queue"] extends Q ? N : never }[JobName];

/** True when `name` is a job of the catalog. */
export function isJobName(name: string): name is JobName {
  return Object.prototype.hasOwnProperty.call(JOBS, name);
}
