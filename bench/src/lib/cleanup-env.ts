// The cleanup benchmark's configuration, read once here.
import { benchServers, int, intList } from "./env";

/** Scale and servers of bench/src/cleanup.bench.ts; every value overridable for a quick run. */
export const cleanupBenchEnv = {
  adminDatabaseUrl: benchServers.adminDatabaseUrl,
  /** Rows older than the retention, regenerated before every measured cleanup. */
  oldRows: int("BENCH_OLD_ROWS", 1_000_000, 1),
  /** Rows inside the retention that must survive every cleanup. */
  recentRows: int("BENCH_RECENT_ROWS", 100_000, 1),
  rounds: int("BENCH_ROUNDS", 3, 1),
  /** DELETE batch sizes compared (cleanupOldLogsDetailed's batchSize; production default 5000). */
  batchSizes: intList("BENCH_BATCH_SIZES", [1000, 5000]),
  retentionDays: int("BENCH_RETENTION_DAYS", 90, 1),
  /** Concurrent writer loops, each awaiting one audit call after another. */
  writerLoops: int("BENCH_WRITER_LOOPS", 20, 1),
  /** Pause of each writer loop between two calls (0: back to back). */
  writerPauseMs: int("BENCH_WRITER_PAUSE_MS", 0, 0),
  /** pg_stat_activity / pg_locks sampling period during the measured windows (0: off). */
  sampleMs: int("BENCH_SAMPLE_MS", 50, 0),
  /** The target: no insert wait above this. */
  targetMs: int("BENCH_TARGET_MS", 100, 1),
};
