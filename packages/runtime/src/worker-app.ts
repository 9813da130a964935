import { FlowProducer, Queue, Worker, type Job } from "bullmq";
import { createDb, type DbHandle, type DbTimeouts } from "@callastar/db";
import { isAudited } from "@callastar/errors";
import { createAuditLogger, type AuditLogger } from "@callastar/audit-log";
import {
  attemptInfo,
  createProcessor,
  createWorkerConnection,
  isRateLimitWait,
  queuePrefix,
  type RedisConnection,
  type RedisTarget,
  type QueueHandlers,
  type QueueName,
} from "@callastar/queues";
import { Producer } from "@callastar/producer";
import type { Tracing } from "@callastar/tracing";
import { tracingConfigFromEnv, type TracingConfig } from "@callastar/tracing/env";
import { auditJobFailure, type FailureAuditDeps } from "./job-failure-audit";
import { installShutdown } from "./shutdown";
import { describeStallSettings, stallSettings } from "./stall-settings";
import type { ProcessMetrics } from "./metrics";
import { LoopWatchdog, loopsHealth, type BackgroundLoop } from "./loop-watchdog";
import { createProcessLog, type ProcessLog, type ProcessLogOptions } from "@callastar/process-log";
import { processLogOptionsFromEnv, type ProcessLogEnv } from "./process-log";
import { redisTargetOf, type RedisEnv } from "./redis-env";

/** What every handler factory receives: the process' shared resources. */
export interface WorkerContext {
  appName: string;
  /** The process log (stdout JSON lines); the audit trail is `logger`. */
  log: ProcessLog;
  db: DbHandle;
  logger: AuditLogger;
  /** Non-blocking connection shared by queues, flows, producer and rate limiters (a Cluster client on a Cluster). */
  redis: RedisConnection;
  prefix: string;
  producer: Producer;
  flows: FlowProducer;
  queue(name: QueueName): Queue;
  /** Aborted when shutdown starts: a job waiting (for a rate slot, say) gives up and goes back to the queue. */
  stopping: AbortSignal;
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
  /** A Redis URL, or the Sentinel/Cluster form (redisTargetOf). */
  redis: RedisTarget | string;
  prefix: string;
  shutdownTimeoutMs: number;
  /** Raises the pool's server-side timeouts (DEFAULT_TIMEOUTS of @callastar/db) for long maintenance statements. */
  databaseTimeouts?: Partial<DbTimeouts>;
  spoolDir?: string;
  reminderLeadMinutes?: number;
  /** Default lock duration and stalled-check interval of every Worker (bindings may raise the lock). */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** Crashes a job survives before it fails for good (see stall-settings.ts). */
  maxStalledCount?: number;
  /** Serves this process' Prometheus metrics on GET /metrics (0: a free port, for tests; unset: off). */
  metricsPort?: number;
  metricsHost?: string;
  /** Traces jobs, their HTTP requests and SQL statements (from OTEL_*; unset: off, nothing started). */
  tracing?: TracingConfig;
  bindings: AnyQueueBinding[];
  /**
   * A loop beside the workers (e.g. the email batch sender), started with them and stopped before
   * them, under a watchdog that restarts it when it makes no progress while work is due and reports
   * it on /metrics and /healthz.
   */
  background?: (ctx: WorkerContext) => BackgroundLoop;
  /** The background loop's name in logs, metrics and /healthz (default "background loop"). */
  backgroundName?: string;
  /** A watched loop without progress this long while work is due is restarted (default {@link DEFAULT_LOOP_STALL_AFTER_MS}). */
  loopStallAfterMs?: number;
  /** Tests pass a no-op to keep the process alive. */
  exit?: (code: number) => void;
  /** The process log; tests pass a silent one. Default: one for `name` built with `logOptions`. */
  log?: ProcessLog;
  logOptions?: Omit<ProcessLogOptions, "app">;
}

/** A watched background loop without progress for this long while work is due is restarted. */
export const DEFAULT_LOOP_STALL_AFTER_MS = 90_000;

export interface WorkerApp {
  ctx: WorkerContext;
  workers: Worker[];
  /** The watchdog of the background loop, when the loop reports its health. */
  watchdog: LoopWatchdog | undefined;
  /** This process' Prometheus metrics, when METRICS_PORT serves them. */
  metrics: ProcessMetrics | undefined;
  /** The port /metrics listens on, when served. */
  metricsPort: number | undefined;
  shutdown(reason: string): Promise<void>;
}

/** Starts a worker app: connections, logger, one BullMQ Worker per binding, and the shutdown path. */
export async function startWorkerApp(options: WorkerAppOptions): Promise<WorkerApp> {
  const log = options.log ?? createProcessLog({ app: options.name, ...options.logOptions });
  // Off unless configured: then no SDK, no BullMQ telemetry option, the bare postgres.js client; and
  // the SDK's modules are not even loaded (a dynamic import), so an untraced process does not hold them.
  const tracing: Tracing | undefined = options.tracing
    ? (await import("@callastar/tracing")).startTracing(options.tracing, { serviceName: options.name })
    : undefined;
  const telemetry = tracing ? { telemetry: tracing.telemetry } : {};
  const db = createDb(options.databaseUrl, {
    applicationName: options.name,
    ...(options.databaseTimeouts ? { timeouts: options.databaseTimeouts } : {}),
    ...(tracing ? { instrument: tracing.instrumentSql } : {}),
  });
  const logger = createAuditLogger({ db, log, ...(options.spoolDir ? { spoolDir: options.spoolDir } : {}) });
  const redis = createWorkerConnection(options.redis, { connectionName: `${options.name}:shared`, log });
  const producer = new Producer({ connection: redis, prefix: options.prefix, reminderLeadMinutes: options.reminderLeadMinutes, log, ...telemetry });
  const flows = new FlowProducer({ connection: redis, prefix: options.prefix, ...telemetry });
  flows.on("error", (error) => log.error({ err: error }, `flow producer error: ${error.message}`));
  const stopping = new AbortController();
  const ctx: WorkerContext = {
    appName: options.name,
    log,
    db,
    logger,
    redis,
    prefix: options.prefix,
    producer,
    flows,
    queue: (name) => producer.queue(name),
    stopping: stopping.signal,
  };

  const audit: FailureAuditDeps = { db, logger, log };
  // Off unless served: the default metrics' event-loop monitor and per-job counting cost nothing then,
  // and prom-client is not loaded at all (a dynamic import).
  const metricsModule = options.metricsPort === undefined ? undefined : await import("./metrics");
  const metrics = metricsModule ? new metricsModule.ProcessMetrics({ app: options.name }) : undefined;
  metrics?.observeLogger(logger);
  const stalls = stallSettings(options);
  const blocking: RedisConnection[] = [];
  const workers = options.bindings.map((binding) => {
    const connection = createWorkerConnection(options.redis, { connectionName: `${options.name}:${binding.queue}`, log });
    blocking.push(connection);
    // The union of bindings is checked at bindQueue(); here one shape serves them all.
    const { queue, handlers } = binding as QueueBinding<QueueName>;
    const processor = createProcessor(queue, handlers(ctx), {
      maxStalledCount: stalls.maxStalledCount,
      log,
      onMalformed: (job, error) =>
        auditJobFailure(audit, job, error, { ...attemptInfo(job, error), final: true }, `Malformed ${job.name} job ${job.id} refused`),
      onStalledTooOften: (job, error) =>
        auditJobFailure(audit, job, error, { ...attemptInfo(job, error), final: true }, `Job ${job.name} ${job.id} failed for good: ${error.message}`),
      onFailedAttempt: (job, error, attempt) =>
        auditJobFailure(audit, job, error, attempt, failureMessage(job, attempt)),
      onRateLimited: () => metrics?.rateLimitWait(queue),
    });
    const worker = new Worker(binding.queue, processor, {
      connection,
      prefix: queuePrefix(options.prefix, binding.queue, connection),
      concurrency: binding.concurrency,
      name: options.name,
      lockDuration: Math.max(binding.lockDuration ?? 0, stalls.lockDurationMs),
      stalledInterval: stalls.stalledIntervalMs,
      // One above ours: the processor fails a job past our limit after writing its row; BullMQ's
      // own limit (a failure without the processor) only catches a crash during that write.
      maxStalledCount: stalls.maxStalledCount + 1,
      ...telemetry,
    });
    worker.on("error", (error) => log.error({ queue: binding.queue, err: error }, `worker ${binding.queue} error: ${error.message}`));
    worker.on("failed", (job, error) => void reportUnauditedFailure(audit, job, error));
    metrics?.observe(worker, binding.queue);
    return worker;
  });
  const watchdog = startBackground(ctx, options, metrics);
  const health = loopsHealth(() => (watchdog ? [watchdog] : []));
  const served = metricsModule && metrics && options.metricsPort !== undefined ? await metricsModule.serveMetrics(metrics.registry, options.metricsPort, options.metricsHost ?? "0.0.0.0", health) : undefined;

  const shutdown = installShutdown(
    [
      { name: "waits", run: async () => stopping.abort() },
      ...(watchdog ? [{ name: "background loop", run: () => watchdog.stop() }] : []),
      { name: "workers", run: () => Promise.all(workers.map((w) => w.close())) },
      { name: "metrics server", run: async () => served?.close() },
      { name: "producers", run: () => Promise.all([producer.close(), flows.close()]) },
      { name: "audit logger", run: () => logger.close() },
      { name: "redis", run: () => Promise.all([redis, ...blocking].map((c) => c.quit().catch(() => c.disconnect()))) },
      { name: "postgres", run: () => db.close() },
      // Last, so the spans of the drain above are flushed too. A collector that is down loses
      // those spans, but must not turn a clean shutdown into a failed one.
      ...(tracing
        ? [{ name: "tracing", run: () => tracing.shutdown().catch((error: unknown) => log.warn({ err: error }, `tracing: last spans not exported (${error instanceof Error ? error.message : String(error)})`)) }]
        : []),
    ],
    { timeoutMs: options.shutdownTimeoutMs, log, ...(options.exit ? { exit: options.exit } : {}) },
  );
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  log.info({ ...stalls }, describeStallSettings(stalls));
  const consuming = options.bindings.map((b) => `${b.queue}×${b.concurrency}`).join(", ");
  const metricsNote = served ? `; metrics on :${served.port}/metrics` : "";
  log.info({ prefix: options.prefix, ...(served ? { metricsPort: served.port } : {}), tracing: Boolean(tracing) }, `consuming ${consuming} (prefix ${options.prefix})${metricsNote}${tracing ? "; tracing on" : ""}`);
  return { ctx, workers, watchdog, metrics, metricsPort: served?.port, shutdown };
}

/** Starts the background loop under its watchdog. */
function startBackground(
  ctx: WorkerContext,
  options: Pick<WorkerAppOptions, "background" | "backgroundName" | "loopStallAfterMs" | "shutdownTimeoutMs">,
  metrics: ProcessMetrics | undefined,
): LoopWatchdog | undefined {
  const start = options.background;
  if (!start) return undefined;
  const watchdog = new LoopWatchdog({
    name: options.backgroundName ?? "background loop",
    start: () => start(ctx),
    stallAfterMs: options.loopStallAfterMs ?? DEFAULT_LOOP_STALL_AFTER_MS,
    // A stalled loop may never stop: the shutdown and the restart must not wait for it past this.
    stopTimeoutMs: Math.max(1_000, Math.floor(options.shutdownTimeoutMs / 3)),
    log: ctx.log,
  });
  metrics?.observeLoops(() => [watchdog.status()]);
  return watchdog;
}

const failureMessage = (job: Job, a: { attempt: number; attempts: number; final: boolean }) =>
  a.final
    ? `Job ${job.name} ${job.id} failed for good at attempt ${a.attempt}/${a.attempts}`
    : `Job ${job.name} ${job.id} failed at attempt ${a.attempt}/${a.attempts}; will retry`;

/**
 * The final-failure reporter for failures that never reached the processor's audit: BullMQ failing
 * a job by itself (its own stall limit, hit only by a crash while our row was being written). The
 * processor marks every error it audited, so each failure still gets exactly one row.
 */
async function reportUnauditedFailure(audit: FailureAuditDeps, job: Job | undefined, error: Error): Promise<void> {
  if (!job || isAudited(error) || isRateLimitWait(error)) return;
  // The 'failed' event comes after moveToFailed, which already counted this attempt.
  const info = attemptInfo(job, error);
  const attempt = { ...info, attempt: job.attemptsMade, final: info.final || job.attemptsMade >= info.attempts };
  await auditJobFailure(audit, job, error, attempt, failureMessage(job, attempt));
}

/** The env fields every worker app shares (see workerEnvShape), as startWorkerApp options. */
export function workerOptionsFromEnv(env: ProcessLogEnv & RedisEnv & {
  DATABASE_URL: string;
  QUEUE_PREFIX: string;
  SHUTDOWN_TIMEOUT_MS: number;
  WORKER_LOCK_DURATION_MS: number;
  WORKER_STALLED_INTERVAL_MS: number;
  WORKER_MAX_STALLED_COUNT: number;
  LOG_SPOOL_DIR?: string | undefined;
  METRICS_PORT?: number | undefined;
  METRICS_HOST?: string | undefined;
  LOOP_STALL_AFTER_MS: number;
} & Parameters<typeof tracingConfigFromEnv>[0]): Pick<
  WorkerAppOptions,
  | "databaseUrl"
  | "redis"
  | "prefix"
  | "shutdownTimeoutMs"
  | "lockDurationMs"
  | "stalledIntervalMs"
  | "maxStalledCount"
  | "spoolDir"
  | "metricsPort"
  | "metricsHost"
  | "tracing"
  | "logOptions"
  | "loopStallAfterMs"
> {
  const tracing = tracingConfigFromEnv(env);
  return {
    logOptions: processLogOptionsFromEnv(env),
    databaseUrl: env.DATABASE_URL,
    redis: redisTargetOf(env),
    prefix: env.QUEUE_PREFIX,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    lockDurationMs: env.WORKER_LOCK_DURATION_MS,
    stalledIntervalMs: env.WORKER_STALLED_INTERVAL_MS,
    maxStalledCount: env.WORKER_MAX_STALLED_COUNT,
    loopStallAfterMs: env.LOOP_STALL_AFTER_MS,
    ...(env.LOG_SPOOL_DIR ? { spoolDir: env.LOG_SPOOL_DIR } : {}),
    ...(env.METRICS_PORT !== undefined ? { metricsPort: env.METRICS_PORT, metricsHost: env.METRICS_HOST } : {}),
    ...(tracing ? { tracing } : {}),
  };
}
