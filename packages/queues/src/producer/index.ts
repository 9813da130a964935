// The main app's entry point: validation and enqueueing only, no worker code.
export { Producer, createProducer, type ProducerOptions } from "./producer";
export type { EmailInput } from "./types";
export { jobIds } from "../job-ids";
export { SCHEDULERS, SCHEDULER_IDS, isSchedulerId, type SchedulerId } from "../catalog/schedulers";
export { ValidationError } from "@callastar/errors";
export { prepareJob, OUTBOX_KINDS, type PreparedJob, type OutboxKind } from "./prepare";
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
