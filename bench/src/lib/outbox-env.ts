// The outbox benchmark's configuration, read once here.
import { benchServers, int } from "./env";

/** Scale and servers of bench/src/outbox.bench.ts. */
export const outboxBenchEnv = {
  adminDatabaseUrl: benchServers.adminDatabaseUrl,
  redisUrl: benchServers.redisUrl,
  /** Concurrent writer connections (one outbox row per transaction, as a booking would commit it). */
  writers: int("BENCH_WRITERS", 8),
  /** Writers of the paced lag phase: enough that commit latency does not cap the asked rate. */
  lagWriters: int("BENCH_LAG_WRITERS", 32),
  /** Rows of the backlog the relay drains, and the raw addBulk baseline adds. */
  backlog: int("BENCH_BACKLOG", 20_000),
  /** Paced commit rate and duration of the lag measurement. */
  rate: int("BENCH_RATE", 1_000),
  lagSeconds: int("BENCH_LAG_S", 10),
  batchSize: int("BENCH_BATCH", 500),
  rounds: int("BENCH_ROUNDS", 3),
};
