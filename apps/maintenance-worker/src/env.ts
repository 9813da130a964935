import { z } from "zod";
import { envFields, loadEnv, workerEnvShape } from "@callastar/runtime";

const schema = z.object({
  ...workerEnvShape,
  LOG_RETENTION_DAYS: envFields.positiveInt(90),
  /** Rows deleted per statement: small enough that no batch holds a long lock on "Log". */
  LOG_CLEANUP_BATCH_SIZE: envFields.positiveInt(5_000),
  /** The scheduled audit check's window: facts of the last N minutes (default one day). */
  VERIFY_AUDIT_LOOKBACK_MINUTES: envFields.positiveInt(24 * 60),
  /**
   * Off by default: a missing row means a write path lost it; repairing it silently would hide
   * that bug from the gauge and the alert. On, the run's `repaired` count still records it.
   */
  VERIFY_AUDIT_REPAIR: z
    .enum(["true", "false", "1", "0"], { error: "must be true or false" })
    .default("false")
    .transform((v) => v === "true" || v === "1"),
  /** Finished JobOutbox rows (relayed, or emails delivered) are kept this long for inspection. */
  OUTBOX_RETENTION_HOURS: envFields.positiveInt(72),
});

export type MaintenanceEnv = z.output<typeof schema>;

/** The maintenance worker's configuration, validated once at start-up. */
export const loadMaintenanceEnv = (source: Record<string, string | undefined> = process.env): MaintenanceEnv =>
  loadEnv(schema, source);
