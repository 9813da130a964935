export { QUEUES, QUEUE_NAMES, type QueueName, type QueueDefinition } from "./catalog/queues";
export { JOBS, isJobName, type JobName, type JobData, type JobInput, type JobsOfQueue, type JobDefinition } from "./catalog/jobs";
export { SCHEDULERS, SCHEDULER_IDS, isSchedulerId, type SchedulerId, type SchedulerDefinition } from "./catalog/schedulers";
export * from "./catalog/payloads";
export { jobIds, idempotencyKeys } from "./job-ids";
export { createWorkerConnection, createProducerConnection, waitForRedis } from "./connection";
export { createProcessor, type QueueHandlers, type ProcessorHooks } from "./processor";
export { parseOrThrow } from "./validate";
export { Producer, createProducer, type ProducerOptions, type EmailInput } from "./producer";
