// The peak benchmark's configuration, read once here.
import { int, text } from "./env";

/** Scale and servers of bench/src/peak.bench.ts. */
export const peakBenchEnv = {
  /** The PostgreSQL server the bench creates its own database on (as the apps read it: DATABASE_URL). */
  adminDatabaseUrl: process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
  /** The database it creates afresh there (default: one named after the process, so two runs at once never share one). */
  databaseName: text("BENCH_PEAK_DATABASE_NAME"),
  redisUrl: process.env.BENCH_REDIS_URL ?? process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
  /** Calls starting at the same moment (their reminders all fall due together). */
  calls: int("BENCH_PEAK_CALLS", 1_000),
  /** Calls of the large peak (one round; 0: skipped). */
  bigCalls: int("BENCH_PEAK_BIG_CALLS", 5_000, 0),
  /** Ad-hoc emails queued at once beside a peak in the mixed run (0: no mixed run). */
  adhoc: int("BENCH_PEAK_ADHOC", 5_000, 0),
  /** Ad-hoc emails enqueued at once in the ad-hoc run, no peak beside them (0: no ad-hoc run). */
  adhocBurst: int("BENCH_PEAK_ADHOC_BURST", 5_000, 0),
  /** Calls of the one-request-per-reminder baseline (it runs at ~2 reminders/s; 0: skipped). */
  baselineCalls: int("BENCH_PEAK_BASELINE_CALLS", 60, 0),
  workers: int("BENCH_PEAK_WORKERS", 3),
  rounds: int("BENCH_PEAK_ROUNDS", 3),
  /** Seconds between the start of scheduling and the due time; 0: 20 s plus 1 s per 50 calls. */
  leadInSeconds: int("BENCH_PEAK_LEAD_IN_S", 0, 0),
};
