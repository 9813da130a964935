// The reminders benchmark's configuration, read once here.
const int = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer (got ${raw})`);
  return n;
};

/** Scale and servers of bench/src/reminders.bench.ts. */
export const remindersBenchEnv = {
  adminDatabaseUrl: process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
  redisUrl: process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379",
  reminders: int("BENCH_REMINDERS", 10_000),
  windowSeconds: int("BENCH_WINDOW_S", 60),
  /** Seconds before the first reminder falls due: time to schedule them all. */
  leadInSeconds: int("BENCH_LEAD_IN_S", 20),
  workers: int("BENCH_WORKERS", 1),
  sweepBookings: int("BENCH_SWEEP", 100_000),
  rounds: int("BENCH_ROUNDS", 3),
};
