/**
 * @callastar/producer — what the main app installs to enqueue work: the typed producer API, the
 * outbox helpers for its own transactions, the job catalog's input types and the email templates'
 * names and props. Every name is listed here (no `export *`) so ES modules see each one.
 */
export { Producer, createProducer, type ProducerOptions } from "./producer";
export type { EmailInput } from "./types";
export {
  prepareJob,
  OUTBOX_KINDS,
  type PreparedJob,
  type OutboxKind,
  type BookingReminderInput,
  type BookingReminderCancelInput,
  type RoomDeletionInput,
  type PayoutInput,
} from "./prepare";
export {
  JOB_OUTBOX,
  outboxRow,
  outboxStatement,
  outboxValues,
  preparedJobOf,
  enqueueInPrismaTransaction,
  type OutboxRow,
  type OutboxInput,
  type PrismaRawExecutor,
} from "./outbox";
export { ValidationError } from "@callastar/errors";
export {
  jobIds,
  SCHEDULERS,
  SCHEDULER_IDS,
  isSchedulerId,
  type SchedulerId,
  type RedisTarget,
  type RedisNode,
  type RedisSentinelTarget,
  type RedisClusterTarget,
  type RedisUrlTarget,
  type RedisConnection,
  type JobName,
  type JobInput,
  type JobData,
  type QueueName,
  type SendEmailPayload,
  type BookingReminderPayload,
  type DeleteRoomPayload,
  type PayPayoutPayload,
} from "@callastar/queues";
export {
  EMAIL_TEMPLATES,
  emailPropsSchemas,
  emailPayloadInputSchema,
  bookingReminderClientPropsSchema,
  bookingReminderCreatorPropsSchema,
  bookingConfirmationPropsSchema,
  bookingCancelledPropsSchema,
  creatorNewBookingPropsSchema,
  paymentReceivedPropsSchema,
  isValidTimeZone,
  type EmailTemplateName,
  type EmailProps,
  type EmailPayloadInput,
} from "@callastar/email-schemas";
