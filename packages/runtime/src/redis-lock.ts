import type { Redis } from "ioredis";

export interface LockTimings {
  /** Lifetime of the lock without renewal: how long a crashed holder blocks the others. */
  ttlMs: number;
  /** How long a caller waits for the lock before giving up (its job is retried). */
  waitMs: number;
  pollMs: number;
}

// A holder renews every ttl/3, so the lock outlives any fan-out however long; a dead holder's lock
// lapses within ttl. Waiters give up after waitMs and their job retries later.
const DEFAULT_TIMINGS: LockTimings = { ttlMs: 30_000, waitMs: 5 * 60_000, pollMs: 200 };

const RENEW = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0";
const RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

/** Runs `fn` holding a renewed Redis lock on `key`; throws `busyMessage` if it cannot get it in time. */
export async function withLock<T>(redis: Redis, key: string, busyMessage: string, fn: () => Promise<T>, timings: Partial<LockTimings> = {}): Promise<T> {
  const { ttlMs, waitMs, pollMs } = { ...DEFAULT_TIMINGS, ...timings };
  const token = `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const deadline = Date.now() + waitMs;
  while (!(await redis.set(key, token, "PX", ttlMs, "NX"))) {
    if (Date.now() > deadline) throw new Error(busyMessage);
    await new Promise((r) => setTimeout(r, pollMs));
  }
  const renewal = setInterval(() => void redis.eval(RENEW, 1, key, token, String(ttlMs)).catch(() => undefined), Math.max(ttlMs / 3, 10));
  try {
    return await fn();
  } finally {
    clearInterval(renewal);
    // Release only our own lock.
    await redis.eval(RELEASE, 1, key, token);
  }
}
