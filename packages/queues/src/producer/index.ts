// The main app's entry point: validation and enqueueing only, no worker code.
export { Producer, createProducer, type ProducerOptions } from "./producer";
export type { RedisTarget, RedisNode, RedisSentinelTarget, RedisClusterTarget, RedisUrlTarget } from "../redis-target";
export type { RedisConnection } from "../connection";
export type { EmailInput } from "./types";
export { jobIds } from "../job-ids";
export { SCHEDULERS, SCHEDULER_IDS, isSchedulerId, type SchedulerId } from "../catalog/schedulers";
export { ValidationError } from "@callastar/errors";
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
export type { JobName, JobInput, JobData } from "../catalog/jobs";
export type { QueueName } from "../catalog/queues";
export type { SendEmailPayload, BookingReminderPayload, DeleteRoomPayload, PayPayoutPayload } from "../catalog/payloads";
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
