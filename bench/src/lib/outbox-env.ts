// The outbox benchmark's configuration, read once here.
import { int } from "./env";

/** Scale and servers of bench/src/outbox.bench.ts. */
export const outboxBenchEnv = {
  /** The PostgreSQL server the bench creates its own database on (as the apps read it: DATABASE_URL). */
  adminDatabaseUrl: process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
  redisUrl: process.env.BENCH_REDIS_URL ?? process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
  /** Compiled relay processes (any number may run; docker-compose starts one). */
  relays: int("BENCH_RELAYS", 1),
  /** Writer connections of the backlog (each commits one payout request and its outbox row per transaction). */
  writers: int("BENCH_WRITERS", 8),
  /** Connections of the paced writers: enough that commit latency does not cap the asked rate. */
  lagWriters: int("BENCH_LAG_WRITERS", 32),
  /** Rows of the backlog the relay drains, and the raw addBulk baseline adds. */
  backlog: int("BENCH_BACKLOG", 20_000),
  /** Paced commit rate (open loop) and duration of the lag measurement. */
  rate: int("BENCH_RATE", 1_000),
  lagSeconds: int("BENCH_LAG_S", 10),
  /** Jobs per addBulk call of the raw baseline (the relay's own OUTBOX_BATCH_SIZE default). */
  batchSize: int("BENCH_BATCH", 500),
  rounds: int("BENCH_ROUNDS", 3),
  /** What-if, off production defaults: 0 disables the NOTIFY trigger while the relays run (they only poll). */
  notify: int("BENCH_NOTIFY", 1, 0) !== 0,
  /** What-if: the relays' OUTBOX_POLL_INTERVAL_MS (0: their default). */
  relayPollMs: int("BENCH_RELAY_POLL_MS", 0, 0),
};
