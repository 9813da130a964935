import { CronExpressionParser } from "cron-parser";
import { z } from "zod";
import { SCHEDULERS, SCHEDULER_IDS } from "@callastar/queues/schedulers";
import { envFields, loadEnv, workerEnvShape } from "@callastar/runtime/start";

// Five-field cron (minute hour day month weekday), optionally with seconds, parsed by the same
// cron-parser BullMQ uses, so "99 99 99 99 99" is refused before any connection, not at upsert.
const cronPattern = z
  .string()
  .regex(/^(\S+\s+){4,5}\S+$/, "must be a cron pattern such as '*/5 * * * *'")
  .superRefine((pattern, ctx) => {
    try {
      CronExpressionParser.parse(pattern);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: `must be a valid cron pattern such as '*/5 * * * *' (${error instanceof Error ? error.message : String(error)})` });
    }
  });

const patternFields = Object.fromEntries(
  SCHEDULER_IDS.map((id) => [
    SCHEDULERS[id].patternEnv,
    cronPattern.default(SCHEDULERS[id].defaultPattern).describe(`cron pattern of \`${id}\` (5 fields, or 6 with seconds), checked at boot`),
  ]),
) as Record<string, z.ZodDefault<typeof cronPattern>>;

/** The scheduler's variables, each with its form (docs/configuration.md's table is generated from it). */
export const envSchema = z.object({
  ...workerEnvShape,
  CRON_TZ: envFields.timezone,
  SCHEDULER_CHECK_INTERVAL_MS: envFields
    .positiveInt(60_000)
    .describe("ms: how often the scheduler verifies that every job scheduler still has a future run, and repairs it"),
  ...patternFields,
});

export type SchedulerEnv = z.output<typeof envSchema>;

/** The scheduler's configuration, validated once at start-up. */
export const loadSchedulerEnv = (source: Record<string, string | undefined> = process.env): SchedulerEnv =>
  loadEnv(envSchema, source);
