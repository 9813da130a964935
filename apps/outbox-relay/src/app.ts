import { createDb } from "@callastar/db";
import { createProducerConnection } from "@callastar/queues";
import { Producer } from "@callastar/producer";
import { LoopWatchdog, installShutdown, loopsHealth, processLogFromEnv, redisTargetOf, type ProcessLog, type ServedMetrics } from "@callastar/runtime";
import type { OutboxRelayEnv } from "./env";
import { startRelayLoop, type RelayLoop } from "./loop";

export interface OutboxRelayApp {
  /** The relay loop running now (the watchdog replaces a stalled one). */
  loop(): RelayLoop;
  watchdog: LoopWatchdog;
  /** The port of GET /metrics and GET /healthz, when METRICS_PORT serves them. */
  metricsPort: number | undefined;
  shutdown(reason: string): Promise<void>;
}

/** Starts the outbox relay: committed "JobOutbox" rows → BullMQ jobs. Any number of copies may run. */
export async function startOutboxRelay(
  env: OutboxRelayEnv,
  overrides: { exit?: (code: number) => void; log?: ProcessLog } = {},
): Promise<OutboxRelayApp> {
  const log = overrides.log ?? processLogFromEnv("outbox-relay", env);
  // A small pool: one claim transaction at a time, the re-check, and the LISTEN connection.
  const db = createDb(env.DATABASE_URL, { max: 4, applicationName: "outbox-relay" });
  // Fail fast: on a Redis outage the claim transaction rolls back and the next poll retries.
  const redis = createProducerConnection(redisTargetOf(env), { connectionName: "outbox-relay", log });
  const producer = new Producer({ connection: redis, prefix: env.QUEUE_PREFIX, reminderLeadMinutes: env.REMINDER_LEAD_MINUTES, log });
  let current: RelayLoop | undefined;
  const watchdog = new LoopWatchdog({
    name: "outbox relay",
    start: () =>
      (current = startRelayLoop({
        sql: db.sql,
        producer,
        redis,
        prefix: env.QUEUE_PREFIX,
        batchSize: env.OUTBOX_BATCH_SIZE,
        pollIntervalMs: env.OUTBOX_POLL_INTERVAL_MS,
        emailRecheckAfterMs: env.OUTBOX_EMAIL_RECHECK_AFTER_MS,
        emailRecheckIntervalMs: env.OUTBOX_EMAIL_RECHECK_INTERVAL_MS,
        log,
      })),
    stallAfterMs: env.LOOP_STALL_AFTER_MS,
    stopTimeoutMs: Math.max(1_000, Math.floor(env.SHUTDOWN_TIMEOUT_MS / 3)),
    log,
  });
  let served: ServedMetrics | undefined;
  if (env.METRICS_PORT !== undefined) {
    // prom-client loads only when METRICS_PORT asks for metrics (a dynamic import).
    const { ProcessMetrics, serveMetrics } = await import("@callastar/runtime/metrics");
    const metrics = new ProcessMetrics({ app: "outbox-relay" });
    metrics.observeLoops(() => [watchdog.status()]);
    served = await serveMetrics(metrics.registry, env.METRICS_PORT, env.METRICS_HOST, loopsHealth(() => [watchdog]));
  }
  const shutdown = installShutdown(
    [
      { name: "relay", run: () => watchdog.stop() },
      { name: "metrics server", run: async () => served?.close() },
      { name: "producer", run: () => producer.close() },
      { name: "redis", run: () => redis.quit().catch(() => redis.disconnect()) },
      { name: "postgres", run: () => db.close() },
    ],
    { timeoutMs: env.SHUTDOWN_TIMEOUT_MS, log, ...(overrides.exit ? { exit: overrides.exit } : {}) },
  );
  const metricsNote = served ? `; metrics and health on :${served.port}` : "";
  log.info(
    { prefix: env.QUEUE_PREFIX, ...(served ? { metricsPort: served.port } : {}) },
    `relaying "JobOutbox" to BullMQ (prefix ${env.QUEUE_PREFIX}, batches of ${env.OUTBOX_BATCH_SIZE}, poll every ${env.OUTBOX_POLL_INTERVAL_MS} ms)${metricsNote}`,
  );
  return { loop: () => current!, watchdog, metricsPort: served?.port, shutdown };
}
