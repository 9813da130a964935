import { z } from "zod";
import { envFields, loadEnv, loopEnvShape, metricsEnvShape, redisEnvShape, startupEnvShape } from "@callastar/runtime/start";

/** The outbox relay's variables, each with its form (docs/configuration.md's table is generated from it). */
export const envSchema = z
  .object({
    NODE_ENV: envFields.nodeEnv,
    LOG_LEVEL: envFields.logLevel,
    DATABASE_URL: envFields.databaseUrl,
    ...redisEnvShape,
    QUEUE_PREFIX: envFields.queuePrefix,
    SHUTDOWN_TIMEOUT_MS: envFields.positiveInt(10_000),
    ...startupEnvShape,
    // Must match the email worker's: a reminder is delayed until its call − this lead.
    REMINDER_LEAD_MINUTES: envFields.positiveInt(15),
    OUTBOX_BATCH_SIZE: envFields.positiveInt(500).describe("`\"JobOutbox\"` rows claimed (and added to Redis) per transaction"),
    OUTBOX_POLL_INTERVAL_MS: envFields
      .positiveInt(1_000)
      .describe("ms: polling behind LISTEN/NOTIFY (a lost connection, a row inserted with triggers disabled)"),
    OUTBOX_EMAIL_RECHECK_AFTER_MS: envFields
      .positiveInt(300_000)
      .describe("ms: an email relayed this long ago without a delivery is looked up in Redis, and re-added if its job is gone"),
    OUTBOX_EMAIL_RECHECK_INTERVAL_MS: envFields
      .positiveInt(60_000)
      .describe("ms: how often undelivered emails are re-checked, by one copy at a time; each relay checks at its start too when none did for this long"),
    ...loopEnvShape,
    ...metricsEnvShape,
  });

export type OutboxRelayEnv = z.output<typeof envSchema>;

/** The outbox relay's configuration, validated once at start-up. */
export const loadOutboxRelayEnv = (source: Record<string, string | undefined> = process.env): OutboxRelayEnv =>
  loadEnv(envSchema, source);
