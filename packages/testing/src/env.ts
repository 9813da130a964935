// Test-harness configuration: where the real servers are. Read once, here.
export const testEnv = {
  adminDatabaseUrl: process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
  redisUrl: process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379",
  /** What a spawned app process inherits: nothing but the path and home, plus its own env. */
  childBase: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp" },
};
