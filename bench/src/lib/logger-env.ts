// The logger benchmark's configuration, read once here.

/** Scale and servers of bench/src/logger.bench.ts; every value overridable for a quick run. */
export const loggerBenchEnv = {
  adminDatabaseUrl: process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
  redisUrl: process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379",
  jobs: positiveInt("BENCH_JOBS", 50_000),
  rounds: positiveInt("BENCH_ROUNDS", 3),
  concurrency: positiveInt("BENCH_CONCURRENCY", 50),
  logRows: positiveInt("BENCH_LOG_ROWS", 10_000_000),
  queryRuns: positiveInt("BENCH_QUERY_RUNS", 25),
  /** Flushes in flight at once (the logger option maxInFlight). */
  maxInFlight: positiveInt("BENCH_MAX_IN_FLIGHT", 2),
};

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw.replace(/_/g, ""));
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer (got ${raw})`);
  return n;
}
