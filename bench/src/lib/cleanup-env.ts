// The cleanup benchmark's configuration, read once here.

/** Scale and servers of bench/src/cleanup.bench.ts; every value overridable for a quick run. */
export const cleanupBenchEnv = {
  adminDatabaseUrl: process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
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

function int(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw.replace(/_/g, ""));
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer ≥ ${min} (got ${raw})`);
  return n;
}

function intList(name: string, fallback: number[]): number[] {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const list = raw.split(",").map((s) => Number(s.trim().replace(/_/g, "")));
  if (list.some((n) => !Number.isInteger(n) || n < 1 || n > 100_000)) throw new Error(`${name} must be integers in 1..100000 (got ${raw})`);
  return list;
}
