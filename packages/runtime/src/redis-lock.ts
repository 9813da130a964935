// A Redis lock held while `fn` runs, through @sesamecare-oss/redlock (a maintained Redlock): it
// extends the lock while held and aborts an AbortSignal once it cannot (the key expired, was taken,
// or Redis stayed unreachable until the lock would lapse), so a holder that lost its lock stops.
// The library loads with the first lock (a fan-out job), not while a process waits idle.
import type { RedisConnection as Redis } from "@callastar/queues";

export interface LockTimings {
  /** Lifetime of the lock without extension: how long a crashed holder blocks the others. */
  ttlMs: number;
  /** How long a caller waits for the lock before giving up (its job is retried). */
  waitMs: number;
  pollMs: number;
}

// A holder extends with a third of the ttl left, so a long fan-out keeps its lock and a slow Redis
// has time for retries; a dead holder's lock lapses within ttl. Waiters give up after waitMs.
const DEFAULT_TIMINGS: LockTimings = { ttlMs: 30_000, waitMs: 5 * 60_000, pollMs: 200 };

/** The holder of `key` lost it while working: whatever it had not done yet must not be done. */
export class LockLostError extends Error {
  override readonly name = "LockLostError";
  constructor(
    readonly key: string,
    cause: unknown,
  ) {
    super(`lost the Redis lock ${key} while holding it`, { cause });
  }
}

/**
 * Runs `fn` holding a Redis lock on `key`; throws `busyMessage` if it cannot get it within `waitMs`.
 * `signal` aborts when the lock is lost: `fn` checks it before each effect, and withLock rejects
 * with {@link LockLostError} at once rather than waiting for `fn`.
 */
export async function withLock<T>(
  redis: Redis,
  key: string,
  busyMessage: string,
  fn: (signal: AbortSignal) => Promise<T>,
  timings: Partial<LockTimings> = {},
): Promise<T> {
  const { ttlMs, waitMs, pollMs } = { ...DEFAULT_TIMINGS, ...timings };
  const { ExecutionError, Redlock } = await import("@sesamecare-oss/redlock");
  // Retries here are per operation (one acquire attempt, one extension): an extension that keeps
  // failing is retried by the library until the lock would lapse, then the signal aborts.
  const redlock = new Redlock([redis], {
    retryCount: 2,
    retryDelay: Math.min(pollMs, 200),
    retryJitter: Math.floor(Math.min(pollMs, 200) / 2),
    automaticExtensionThreshold: Math.floor(ttlMs / 3),
    // Its scripts SELECT this database first: it must be the connection's own.
    db: redis.isCluster ? 0 : ((redis.options as { db?: number }).db ?? 0),
  });
  const deadline = Date.now() + waitMs;
  for (;;) {
    let acquired = false;
    let lostError: LockLostError | undefined;
    let finished: { value: T } | undefined;
    try {
      await redlock.using([key], ttlMs, async (signal) => {
        acquired = true;
        const lost = new Promise<never>((_, reject) => {
          signal.addEventListener("abort", () => reject((lostError = new LockLostError(key, signal.error))), { once: true });
        });
        lost.catch(() => undefined); // settles after fn only when nobody awaits it any more
        finished = { value: await Promise.race([fn(signal), lost]) };
      });
    } catch (error) {
      // The library releases in a `finally`, and a release that fails (the lock is gone, Redis is
      // down) replaces what the routine ended with: that outcome is the one that counts.
      if (lostError) throw lostError;
      if (finished) return finished.value;
      if (acquired || !(error instanceof ExecutionError)) throw error;
      if (Date.now() > deadline) throw new Error(busyMessage, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, pollMs));
      continue;
    }
    return finished!.value;
  }
}
