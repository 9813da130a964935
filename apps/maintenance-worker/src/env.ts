import { z } from "zod";
import { envFields, loadEnv, workerEnvShape } from "@callastar/runtime";

const schema = z.object({
  ...workerEnvShape,
  LOG_RETENTION_DAYS: envFields.positiveInt(90),
  /** Rows deleted per statement: small enough that no batch holds a long lock on "Log". */
  LOG_CLEANUP_BATCH_SIZE: envFields.positiveInt(5_000),
  /** Finished JobOutbox rows (relayed, or emails delivered) are kept this long for inspection. */
  OUTBOX_RETENTION_HOURS: envFields.positiveInt(72),
});

export type MaintenanceEnv = z.output<typeof schema>;

/** The maintenance worker's configuration, validated once at start-up. */
export const loadMaintenanceEnv = (source: Record<string, string | undefined> = process.env): MaintenanceEnv =>
  loadEnv(schema, source);
