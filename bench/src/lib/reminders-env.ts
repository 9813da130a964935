// The reminders benchmark's configuration, read once here.
import { benchServers, int } from "./env";

/** Scale and servers of bench/src/reminders.bench.ts. */
export const remindersBenchEnv = {
  adminDatabaseUrl: benchServers.adminDatabaseUrl,
  redisUrl: benchServers.redisUrl,
  reminders: int("BENCH_REMINDERS", 10_000),
  windowSeconds: int("BENCH_WINDOW_S", 60),
  /** Seconds before the first reminder falls due: time to schedule them all. */
  leadInSeconds: int("BENCH_LEAD_IN_S", 20),
  workers: int("BENCH_WORKERS", 1),
  sweepBookings: int("BENCH_SWEEP", 100_000),
  rounds: int("BENCH_ROUNDS", 3),
};
