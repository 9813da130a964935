import type { JobName } from "./jobs";
import type { QueueName } from "./queues";

export interface SchedulerDefinition {
  /** Stable BullMQ job scheduler id; also the ops API's `/api/cron/<id>`. */
  id: SchedulerId;
  queue: QueueName;
  jobName: JobName;
  defaultPattern: string;
  /** Env variable that overrides the pattern. */
  patternEnv: string;
  description: string;
}

export const SCHEDULER_IDS = [
  "cleanup-logs",
  "process-payouts",
  "process-automatic-payouts",
  "cleanup-daily-rooms",
  "send-booking-reminders",
  "verify-audit",
  "prune-job-outbox",
] as const;
export type SchedulerId = (typeof SCHEDULER_IDS)[number];

/** The recurring tasks of ARCHITECTURE.md, the reconciler's check and the outbox pruning, with their default cron patterns. */
export const SCHEDULERS: Record<SchedulerId, SchedulerDefinition> = {
  "cleanup-logs": {
    id: "cleanup-logs",
    queue: "maintenance",
    jobName: "cleanup-logs",
    defaultPattern: "0 3 * * *",
    patternEnv: "CRON_CLEANUP_LOGS",
    description: "Delete Log rows older than LOG_RETENTION_DAYS in bounded batches",
  },
  "process-payouts": {
    id: "process-payouts",
    queue: "payouts",
    jobName: "process-payouts",
    defaultPattern: "0 * * * *",
    patternEnv: "CRON_PROCESS_PAYOUTS",
    description: "Pay every requested payout through a Stripe transfer",
  },
  "process-automatic-payouts": {
    id: "process-automatic-payouts",
    queue: "payouts",
    jobName: "process-automatic-payouts",
    defaultPattern: "0 2 * * *",
    patternEnv: "CRON_PROCESS_AUTOMATIC_PAYOUTS",
    description: "Create and pay payouts for creators on automatic payouts above their minimum",
  },
  "cleanup-daily-rooms": {
    id: "cleanup-daily-rooms",
    queue: "rooms",
    jobName: "cleanup-daily-rooms",
    defaultPattern: "0 * * * *",
    patternEnv: "CRON_CLEANUP_DAILY_ROOMS",
    description: "Delete the Daily rooms of completed or cancelled bookings",
  },
  "send-booking-reminders": {
    id: "send-booking-reminders",
    queue: "reminders",
    jobName: "send-booking-reminders",
    defaultPattern: "*/5 * * * *",
    patternEnv: "CRON_SEND_BOOKING_REMINDERS",
    description: "Safety net: enqueue the reminder of every confirmed booking due soon",
  },
  "verify-audit": {
    id: "verify-audit",
    queue: "maintenance",
    jobName: "verify-audit",
    defaultPattern: "*/15 * * * *",
    patternEnv: "CRON_VERIFY_AUDIT",
    description: "Cross-check facts (emails, payouts, rooms, cron runs) against their audit rows; counts in its CRON_RUN",
  },
  "prune-job-outbox": {
    id: "prune-job-outbox",
    queue: "maintenance",
    jobName: "prune-job-outbox",
    defaultPattern: "20 * * * *",
    patternEnv: "CRON_PRUNE_JOB_OUTBOX",
    description: "Delete finished JobOutbox rows (relayed, or emails delivered) older than OUTBOX_RETENTION_HOURS",
  },
};

/** True when `id` names a declared scheduler. */
export function isSchedulerId(id: string): id is SchedulerId {
  return (SCHEDULER_IDS as readonly string[]).includes(id);
}
