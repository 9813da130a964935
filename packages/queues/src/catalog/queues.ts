import type { LogTypeName } from "./log-types";

/** Every BullMQ queue of the system. Names may not contain ":" (BullMQ). */
export const QUEUE_NAMES = ["reminders", "emails", "rooms", "payouts", "maintenance"] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

export interface QueueDefinition {
  name: QueueName;
  /** Log type written when a job of this queue is malformed or fails for good. */
  errorLogType: LogTypeName;
  /** Default worker concurrency (overridable per app by env). */
  concurrency: number;
}

export const QUEUES: Record<QueueName, QueueDefinition> = {
  reminders: { name: "reminders", errorLogType: "EMAIL_ERROR", concurrency: 50 },
  emails: { name: "emails", errorLogType: "EMAIL_ERROR", concurrency: 20 },
  rooms: { name: "rooms", errorLogType: "DAILY_ROOM_ERROR", concurrency: 5 },
  payouts: { name: "payouts", errorLogType: "PAYOUT_ERROR", concurrency: 5 },
  maintenance: { name: "maintenance", errorLogType: "CRON_ERROR", concurrency: 1 },
};
