import { createDb } from "@callastar/db";
import { Producer, createProducerConnection } from "@callastar/queues";
import { installShutdown, processLogFromEnv, type ProcessLog } from "@callastar/runtime";
import type { OutboxRelayEnv } from "./env";
import { startRelayLoop, type RelayLoop } from "./loop";

export interface OutboxRelayApp {
  loop: RelayLoop;
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
  const redis = createProducerConnection(env.REDIS_URL, { connectionName: "outbox-relay", log });
  const producer = new Producer({ connection: redis, prefix: env.QUEUE_PREFIX, reminderLeadMinutes: env.REMINDER_LEAD_MINUTES, log });
  const loop = await startRelayLoop({
    sql: db.sql,
    producer,
    redis,
    prefix: env.QUEUE_PREFIX,
    batchSize: env.OUTBOX_BATCH_SIZE,
    holdAfterAdd: env.OUTBOX_TEST_HOLD_AFTER_ADD === "1",
    pollIntervalMs: env.OUTBOX_POLL_INTERVAL_MS,
    emailRecheckAfterMs: env.OUTBOX_EMAIL_RECHECK_AFTER_MS,
    emailRecheckIntervalMs: env.OUTBOX_EMAIL_RECHECK_INTERVAL_MS,
    log,
  });
  const shutdown = installShutdown(
    [
      { name: "relay", run: () => loop.close() },
      { name: "producer", run: () => producer.close() },
      { name: "redis", run: () => redis.quit().catch(() => redis.disconnect()) },
      { name: "postgres", run: () => db.close() },
    ],
    { timeoutMs: env.SHUTDOWN_TIMEOUT_MS, log, ...(overrides.exit ? { exit: overrides.exit } : {}) },
  );
  loop.wake();
  log.info({ prefix: env.QUEUE_PREFIX }, `relaying "JobOutbox" to BullMQ (prefix ${env.QUEUE_PREFIX}, batches of ${env.OUTBOX_BATCH_SIZE}, poll every ${env.OUTBOX_POLL_INTERVAL_MS} ms)`);
  return { loop, shutdown };
}
