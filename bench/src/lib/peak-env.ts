// The peak benchmark's configuration, read once here.
import { benchServers, int } from "./env";

/** Scale and servers of bench/src/peak.bench.ts. */
export const peakBenchEnv = {
  adminDatabaseUrl: benchServers.adminDatabaseUrl,
  redisUrl: benchServers.redisUrl,
  /** Calls starting at the same moment (their reminders all fall due together). */
  calls: int("BENCH_PEAK_CALLS", 1_000),
  /** Ad-hoc emails enqueued at once just before the reminders fall due (0: none). */
  adhoc: int("BENCH_PEAK_ADHOC", 5_000, 0),
  /** Calls of the one-request-per-reminder baseline (it runs at ~2 reminders/s). */
  baselineCalls: int("BENCH_PEAK_BASELINE_CALLS", 60, 0),
  workers: int("BENCH_PEAK_WORKERS", 3),
  rounds: int("BENCH_PEAK_ROUNDS", 3),
  /** Seconds between the start of scheduling and the due time. */
  leadInSeconds: int("BENCH_PEAK_LEAD_IN_S", 20),
};
