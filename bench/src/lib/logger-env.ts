// The logger benchmark's configuration, read once here.
import { benchServers, int } from "./env";

/** Scale and servers of bench/src/logger.bench.ts; every value overridable for a quick run. */
export const loggerBenchEnv = {
  adminDatabaseUrl: benchServers.adminDatabaseUrl,
  redisUrl: benchServers.redisUrl,
  jobs: int("BENCH_JOBS", 50_000),
  rounds: int("BENCH_ROUNDS", 3),
  concurrency: int("BENCH_CONCURRENCY", 50),
  logRows: int("BENCH_LOG_ROWS", 10_000_000),
  queryRuns: int("BENCH_QUERY_RUNS", 25),
};
