// The memory and start-up benchmark's configuration, read once here.
import { int, text, words } from "./env";

const APPS = ["scheduler", "email-worker", "room-worker", "payout-worker", "maintenance-worker", "outbox-relay", "dashboard"] as const;
export type MemoryBenchApp = (typeof APPS)[number];

/** Servers, rounds and sampling times of bench/src/memory.bench.ts. */
export const memoryBenchEnv = {
  /** A server to create the bench database on (DATABASE_URL as the apps read it); unset: a private server. */
  adminDatabaseUrl: text("BENCH_DATABASE_URL") ?? text("DATABASE_URL"),
  redisUrl: text("BENCH_REDIS_URL") ?? text("REDIS_URL") ?? "redis://127.0.0.1:6379",
  /** Rounds: each starts a bare worker and then each app, one process starting at a time. */
  rounds: int("BENCH_MEMORY_ROUNDS", 3),
  /** Seconds after a process' start at which its settled RSS is read (V8 shrinks an idle heap within ~2 min). */
  settledSeconds: int("BENCH_MEMORY_SETTLED_S", 180, 40),
  /** Node flags for every process instead of production's (NODE_FLAGS of scripts/apps.mjs), space-separated. */
  nodeFlags: text("BENCH_MEMORY_NODE_FLAGS")?.split(/\s+/).filter(Boolean),
  apps: ((): MemoryBenchApp[] => {
    const given = words("BENCH_MEMORY_APPS", ",");
    const bad = given.filter((a) => !(APPS as readonly string[]).includes(a));
    if (bad.length) throw new Error(`BENCH_MEMORY_APPS must list apps among ${APPS.join(", ")} (got ${bad.join(", ")})`);
    return given.length ? (given as MemoryBenchApp[]) : [...APPS];
  })(),
};
