/** Every BullMQ queue of the system. Names may not contain ":" (BullMQ). */
export const QUEUE_NAMES = ["reminders", "emails", "rooms", "payouts", "maintenance"] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

export interface QueueDefinition {
  name: QueueName;
  /** Default worker concurrency (overridable per app by env). */
  concurrency: number;
}

export const QUEUES: Record<QueueName, QueueDefinition> = {
  reminders: { name: "reminders", concurrency: 50 },
  emails: { name: "emails", concurrency: 20 },
  rooms: { name: "rooms", concurrency: 5 },
  payouts: { name: "payouts", concurrency: 5 },
  maintenance: { name: "maintenance", concurrency: 1 },
};
