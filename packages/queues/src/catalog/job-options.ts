import type { JobsOptions } from "bullmq";

const DAY = 24 * 3600;

// Finished jobs are kept long enough to inspect in Bull Board, and bounded so Redis never grows forever.
const retention = {
  removeOnComplete: { age: 7 * DAY, count: 20_000 },
  removeOnFail: { age: 30 * DAY, count: 50_000 },
} satisfies JobsOptions;

/** Per-entity work: retried with exponential backoff. */
export const entityJobOptions = (attempts: number, delayMs: number): JobsOptions => ({
  attempts,
  backoff: { type: "exponential", delay: delayMs },
  ...retention,
});

/** A cron run: a few retries, then CRON_ERROR. */
export const cronJobOptions: JobsOptions = { attempts: 3, backoff: { type: "exponential", delay: 5_000 }, ...retention };
