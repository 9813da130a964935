import { z } from "zod";
import { SCHEDULERS, SCHEDULER_IDS } from "@callastar/queues";
import { envFields, loadEnv, workerEnvShape } from "@callastar/runtime";

// Five-field cron (minute hour day month weekday), optionally with seconds: BullMQ's cron-parser
// accepts both; anything else is refused at start-up rather than at the first tick.
const cronPattern = z
  .string()
  .regex(/^(\S+\s+){4,5}\S+$/, "must be a cron pattern such as '*/5 * * * *'");

const patternFields = Object.fromEntries(
  SCHEDULER_IDS.map((id) => [SCHEDULERS[id].patternEnv, cronPattern.default(SCHEDULERS[id].defaultPattern)]),
) as Record<string, z.ZodDefault<typeof cronPattern>>;

const schema = z.object({
  ...workerEnvShape,
  CRON_TZ: envFields.timezone,
  /** How often the scheduler verifies that every job scheduler still has a future run. */
  SCHEDULER_CHECK_INTERVAL_MS: envFields.positiveInt(60_000),
  ...patternFields,
});

export type SchedulerEnv = z.output<typeof schema>;

/** The scheduler's configuration, validated once at start-up. */
export const loadSchedulerEnv = (source: Record<string, string | undefined> = process.env): SchedulerEnv =>
  loadEnv(schema, source) as SchedulerEnv;
