// What every benchmark's configuration module reads from the environment, parsed the same way.

/** An integer variable (underscores allowed: 10_000), at least `min`; `fallback` when unset. */
export function int(name: string, fallback: number, min = 1): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw.replace(/_/g, ""));
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer ≥ ${min} (got ${raw})`);
  return n;
}

/** A comma-separated list of integers in 1..100000; `fallback` when unset. */
export function intList(name: string, fallback: number[]): number[] {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const list = raw.split(",").map((s) => Number(s.trim().replace(/_/g, "")));
  if (list.some((n) => !Number.isInteger(n) || n < 1 || n > 100_000)) throw new Error(`${name} must be integers in 1..100000 (got ${raw})`);
  return list;
}

/** A text variable; `undefined` when unset or empty. */
export function text(name: string): string | undefined {
  const raw = process.env[name];
  return raw === undefined || raw === "" ? undefined : raw;
}

/** A variable split on `separator`, empty items dropped; `[]` when unset. */
export function words(name: string, separator = " "): string[] {
  return (text(name) ?? "").split(separator).map((s) => s.trim()).filter(Boolean);
}

/** The PostgreSQL (admin database) and Redis the benchmarks run against. */
export const benchServers = {
  adminDatabaseUrl: process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
  redisUrl: process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379",
};
