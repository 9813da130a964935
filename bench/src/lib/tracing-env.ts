// The tracing benchmark's configuration, read once here.
import { benchServers, int } from "./env";

/** Scale and servers of bench/src/tracing.bench.ts. */
export const tracingBenchEnv = {
  adminDatabaseUrl: benchServers.adminDatabaseUrl,
  redisUrl: benchServers.redisUrl,
  /** Ad-hoc emails one worker process sends per run. */
  emails: int("BENCH_EMAILS", 2_000),
  rounds: int("BENCH_ROUNDS", 3),
};
