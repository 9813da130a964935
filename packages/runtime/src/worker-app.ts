import { FlowProducer, Queue, Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import { createDb, type DbHandle } from "@callastar/db";
import { isAudited } from "@callastar/errors";
import { createAuditLogger, type AuditLogger } from "@callastar/logger";
import {
  QUEUES,
  createProcessor,
  createWorkerConnection,
  Producer,
  type QueueHandlers,
  type QueueName,
} from "@callastar/queues";
import { installShutdown } from "./shutdown";

/** What every handler factory receives: the process' shared resources. */
export interface WorkerContext {
  appName: string;
  db: DbHandle;
  logger: AuditLogger;
  /** Non-blocking connection shared by queues, flows, producer and rate limiters. */
  redis: Redis;
  prefix: string;
  producer: Producer;
  flows: FlowProducer;
  queue(name: QueueName): Queue;
}

export interface QueueBinding<Q extends QueueName = QueueName> {
  queue: Q;
  concurrency: number;
  handlers: (ctx: WorkerContext) => QueueHandlers<Q>;
  /** Lock duration for long jobs (default BullMQ's 30 s). */
  lockDuration?: number;
}

/** A binding for any one queue (a union, so each binding keeps its own handler types). */
export type AnyQueueBinding = { [Q in QueueName]: QueueBinding<Q> }[QueueName];

/** Binds handlers to a queue with their types checked against the catalog. */
export function bindQueue<Q extends QueueName>(binding: QueueBinding<Q>): QueueBinding<Q> {
  return binding;
}

export interface WorkerAppOptions {
  name: string;
  databaseUrl: string;
  redisUrl: string;
  prefix: string;
  shutdownTimeoutMs: number;
  spoolDir?: string;
  reminderLeadMinutes?: number;
  /** Default lock duration and stalled-check interval of every Worker (bindings may raise the lock). */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  bindings: AnyQueueBinding[];
  /** Runs before any job is taken (caches, connections); a failure is logged, not fatal. */
  warmUp?: (ctx: WorkerContext) => Promise<void>;
  /** Tests pass a no-op to keep the process alive. */
  exit?: (code: number) => void;
  log?: (line: string) => void;
}

export interface WorkerApp {
  ctx: WorkerContext;
  workers: Worker[];
  shutdown(reason: string): Promise<void>;
}

/** Starts a worker app: connections, logger, one BullMQ Worker per binding, and the shutdown path. */
export async function startWorkerApp(options: WorkerAppOptions): Promise<WorkerApp> {
  const log = options.log ?? ((line: string) => console.log(`[${options.name}] ${line}`));
  const db = createDb(options.databaseUrl, { applicationName: options.name });
  const logger = createAuditLogger({ db, ...(options.spoolDir ? { spoolDir: options.spoolDir } : {}) });
  const redis = createWorkerConnection(options.redisUrl, { connectionName: `${options.name}:shared` });
  const producer = new Producer({ connection: redis, prefix: options.prefix, reminderLeadMinutes: options.reminderLeadMinutes });
  const flows = new FlowProducer({ connection: redis, prefix: options.prefix });
  flows.on("error", (error) => log(`flow producer error: ${error.message}`));
  const ctx: WorkerContext = {
    appName: options.name,
    db,
    logger,
    redis,
    prefix: options.prefix,
    producer,
    flows,
    queue: (name) => producer.queue(name),
  };

  if (options.warmUp) {
    const started = Date.now();
    await options.warmUp(ctx).then(
      () => log(`warmed up in ${Date.now() - started} ms`),
      (error: unknown) => log(`warm-up failed (continuing): ${error instanceof Error ? error.message : String(error)}`),
    );
  }

  const blocking: Redis[] = [];
  const workers = options.bindings.map((binding) => {
    const connection = createWorkerConnection(options.redisUrl, { connectionName: `${options.name}:${binding.queue}` });
    blocking.push(connection);
    let worker: Worker | undefined;
    // The union of bindings is checked at bindQueue(); here one shape serves them all.
    const { queue, handlers } = binding as QueueBinding<QueueName>;
    const processor = createProcessor(queue, handlers(ctx), {
      worker: () => worker,
      onMalformed: (job, error) =>
        logger.logError(QUEUES[binding.queue].errorLogType, `Malformed ${job.name} job ${job.id} refused`, error, {
          queue: binding.queue,
          jobId: job.id,
          jobName: job.name,
        }),
    });
    worker = new Worker(binding.queue, processor, {
      connection,
      prefix: options.prefix,
      concurrency: binding.concurrency,
      name: options.name,
      lockDuration: Math.max(binding.lockDuration ?? 0, options.lockDurationMs ?? 30_000),
      stalledInterval: options.stalledIntervalMs ?? 30_000,
      // BullMQ honours a manual pause (worker.rateLimit on a 429) only for workers that have a
      // limiter; this one never limits by itself, it only makes that pause hold for every copy.
      limiter: { max: 1_000_000_000, duration: 1_000 },
    });
    worker.on("error", (error) => log(`worker ${binding.queue} error: ${error.message}`));
    worker.on("failed", (job, error) => void reportFinalFailure(logger, binding.queue, job, error));
    return worker;
  });

  const shutdown = installShutdown(
    [
      { name: "workers", run: () => Promise.all(workers.map((w) => w.close())) },
      { name: "producers", run: () => Promise.all([producer.close(), flows.close()]) },
      { name: "audit logger", run: () => logger.close() },
      { name: "redis", run: () => Promise.all([redis, ...blocking].map((c) => c.quit().catch(() => c.disconnect()))) },
      { name: "postgres", run: () => db.close() },
    ],
    { timeoutMs: options.shutdownTimeoutMs, log, ...(options.exit ? { exit: options.exit } : {}) },
  );
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  log(`consuming ${options.bindings.map((b) => `${b.queue}×${b.concurrency}`).join(", ")} (prefix ${options.prefix})`);
  return { ctx, workers, shutdown };
}

// A job that has no attempt left ends in the failed set; say so once in the audit log.
async function reportFinalFailure(logger: AuditLogger, queue: QueueName, job: Job | undefined, error: Error) {
  if (!job) return;
  const attempts = job.opts.attempts ?? 1;
  const final = job.attemptsMade >= attempts || error.name === "UnrecoverableError";
  // A handler that audited its own failure (markAudited) already wrote this outcome's row.
  if (!final || error.name === "RateLimitError" || isAudited(error)) return;
  await logger.logError(QUEUES[queue].errorLogType, `Job ${job.name} ${job.id} failed for good after ${job.attemptsMade} attempt(s)`, error, {
    queue,
    jobId: job.id,
    jobName: job.name,
    attemptsMade: job.attemptsMade,
  });
}

/** The env fields every worker app shares (see workerEnvShape), as startWorkerApp options. */
export function workerOptionsFromEnv(env: {
  DATABASE_URL: string;
  REDIS_URL: string;
  QUEUE_PREFIX: string;
  SHUTDOWN_TIMEOUT_MS: number;
  WORKER_LOCK_DURATION_MS: number;
  WORKER_STALLED_INTERVAL_MS: number;
  LOG_SPOOL_DIR?: string | undefined;
}): Pick<
  WorkerAppOptions,
  "databaseUrl" | "redisUrl" | "prefix" | "shutdownTimeoutMs" | "lockDurationMs" | "stalledIntervalMs" | "spoolDir"
> {
  return {
    databaseUrl: env.DATABASE_URL,
    redisUrl: env.REDIS_URL,
    prefix: env.QUEUE_PREFIX,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    lockDurationMs: env.WORKER_LOCK_DURATION_MS,
    stalledIntervalMs: env.WORKER_STALLED_INTERVAL_MS,
    ...(env.LOG_SPOOL_DIR ? { spoolDir: env.LOG_SPOOL_DIR } : {}),
  };
}
