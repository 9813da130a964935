import { z } from "zod";
import { envFields, loadEnv, workerEnvShape } from "@callastar/runtime/start";

/** The maintenance worker's variables, each with its form (docs/configuration.md's table is generated from it). */
export const envSchema = z.object({
  ...workerEnvShape,
  LOG_RETENTION_DAYS: envFields.positiveInt(90).describe("days: `cleanup-logs` deletes `\"Log\"` rows older than this"),
  // Small enough that no batch holds a long lock on "Log".
  LOG_CLEANUP_BATCH_SIZE: envFields.positiveInt(5_000).describe("`\"Log\"` rows deleted per statement by `cleanup-logs`"),
  MAINTENANCE_STATEMENT_TIMEOUT_MS: envFields
    .positiveInt(600_000)
    .describe("ms: the bound on one statement of this worker (a retention batch, a reconciler check over a large window); other apps keep 60 s"),
  VERIFY_AUDIT_LOOKBACK_MINUTES: envFields
    .positiveInt(24 * 60)
    .describe("minutes: the scheduled reconciler (`verify-audit`) checks the facts of this window"),
  /**
   * Off by default: a missing row means a write path lost it; repairing it silently would hide
   * that bug from the gauge and the alert. On, the run's `repaired` count still records it.
   */
  VERIFY_AUDIT_REPAIR: z
    .enum(["true", "false", "1", "0"], { error: "must be true or false" })
    .default("false")
    .transform((v) => v === "true" || v === "1")
    .describe("`true` or `false`: whether `verify-audit` writes missing audit rows (off: a missing row is a bug to see)"),
  // verify-audit ages a reminded booking from its due time (described once, with the email worker's).
  REMINDER_LEAD_MINUTES: envFields.positiveInt(15),
  VERIFY_AUDIT_REMINDER_GRACE_MINUTES: envFields
    .positiveInt(15)
    .describe("minutes after its due time a reminded booking's two emails must be delivered (or skipped, or refused) before `verify-audit` reports it"),
  VERIFY_AUDIT_PENDING_MAX_MINUTES: envFields
    .positiveInt(15)
    .describe("minutes a `\"PendingEmail\"` or `\"EmailBatch\"` row may wait before `verify-audit` reports it"),
  VERIFY_AUDIT_OUTBOX_MAX_MINUTES: envFields
    .positiveInt(30)
    .describe("minutes a `\"JobOutbox\"` row may stay open (not relayed, or its email not delivered) before `verify-audit` reports it"),
  OUTBOX_RETENTION_HOURS: envFields
    .positiveInt(72)
    .describe("hours finished `\"JobOutbox\"` rows (relayed, or emails delivered) are kept for inspection"),
});

export type MaintenanceEnv = z.output<typeof envSchema>;

/** The maintenance worker's configuration, validated once at start-up. */
export const loadMaintenanceEnv = (source: Record<string, string | undefined> = process.env): MaintenanceEnv =>
  loadEnv(envSchema, source);
