// The reminders benchmark's configuration, read once here.
import { benchServers, int, text, words } from "./env";

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
  /** Extra node arguments for the workers, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile them. */
  workerNodeArgs: words("BENCH_WORKER_NODE_ARGS"),
  /** A CSV file to write each booking's lateness to, for plotting. */
  dumpFile: text("BENCH_REMINDERS_DUMP"),
};
