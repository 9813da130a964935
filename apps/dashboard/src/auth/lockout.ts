import { createHash } from "node:crypto";
import type { RedisConnection as Redis } from "@callastar/queues";
import { RateLimiterRedis } from "rate-limiter-flexible";

/** How many failed credential attempts a client address, or a user name, gets per window. */
export interface LockoutOptions {
  maxFailures: number;
  windowSeconds: number;
}

export const DEFAULT_LOCKOUT: LockoutOptions = { maxFailures: 10, windowSeconds: 900 };

/** Who an attempt names: the client address, and every user name its credentials claim. */
export interface Attempt {
  address: string;
  users: readonly string[];
}

/** The one place the lockout's Redis keys are named (Redis Cluster re-slotting changes only this). */
function lockoutKeyPrefix(queuePrefix: string): string {
  return `${queuePrefix}:dashboard:auth-failures`;
}

/**
 * Limits credential guessing per client address and per user name. The counts live in Redis
 * (rate-limiter-flexible's store), so every dashboard copy shares them. Once over the limit, even
 * the right password waits for the window to end.
 */
export class Lockout {
  private readonly limiter: RateLimiterRedis;

  constructor(redis: Redis, queuePrefix: string, private readonly options: LockoutOptions = DEFAULT_LOCKOUT) {
    this.limiter = new RateLimiterRedis({ storeClient: redis, keyPrefix: lockoutKeyPrefix(queuePrefix), points: options.maxFailures, duration: options.windowSeconds });
  }

  /** Milliseconds until every identity of this attempt may try again (0: may try now). */
  async blockedForMs(attempt: Attempt): Promise<number> {
    const states = await Promise.all(this.keys(attempt).map((key) => this.limiter.get(key)));
    return Math.max(0, ...states.map((s) => (s && s.consumedPoints >= this.options.maxFailures ? s.msBeforeNext : 0)));
  }

  /** Counts a failure against every identity; returns the lockout it started or extends (0: still under the limit). */
  async recordFailure(attempt: Attempt): Promise<number> {
    const states = await Promise.all(this.keys(attempt).map((key) => this.limiter.penalty(key, 1)));
    return Math.max(0, ...states.map((s) => (s.consumedPoints >= this.options.maxFailures ? s.msBeforeNext : 0)));
  }

  private keys(attempt: Attempt): string[] {
    // User names come from the client: hashed, so a key never holds (or grows with) what was typed.
    const users = [...new Set(attempt.users)].map((u) => `user:${createHash("sha256").update(u).digest("hex").slice(0, 32)}`);
    return [`addr:${attempt.address}`, ...users];
  }
}
