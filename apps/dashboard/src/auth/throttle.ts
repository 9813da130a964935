import { createHash } from "node:crypto";
import type { Redis } from "ioredis";

/** How many failed credential attempts a client address, or a user name, gets per window. */
export interface AuthThrottleOptions {
  maxFailures: number;
  windowSeconds: number;
}

export const DEFAULT_AUTH_THROTTLE: AuthThrottleOptions = { maxFailures: 10, windowSeconds: 900 };

// Counts failures per key in a fixed window; returns the longest lockout (ms) among the keys at or
// over the limit. One script, so copies of the dashboard sharing this Redis share the counts.
const FAIL = `
local locked = 0
for i, key in ipairs(KEYS) do
  local n = redis.call('INCR', key)
  if n == 1 then redis.call('PEXPIRE', key, ARGV[2]) end
  if n >= tonumber(ARGV[1]) then locked = math.max(locked, redis.call('PTTL', key)) end
end
return locked`;

const BLOCKED = `
local locked = 0
for i, key in ipairs(KEYS) do
  local n = tonumber(redis.call('GET', key) or '0')
  if n >= tonumber(ARGV[1]) then locked = math.max(locked, redis.call('PTTL', key)) end
end
return locked`;

/** Who is trying: the client address, and the user name when one was given (Basic, login form). */
export interface Attempt {
  address: string;
  user?: string | undefined;
}

/**
 * Limits credential guessing per client address and per user name, held in Redis so the limit holds
 * across dashboard copies. Once over the limit, even the right password waits for the window to end.
 */
export class AuthThrottle {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly options: AuthThrottleOptions = DEFAULT_AUTH_THROTTLE,
  ) {}

  /** Milliseconds until this address or user may try again (0: may try now). */
  async blockedForMs(attempt: Attempt): Promise<number> {
    const keys = this.keys(attempt);
    return Number(await this.redis.eval(BLOCKED, keys.length, ...keys, this.options.maxFailures));
  }

  /** Records a failed attempt; returns the lockout it started or extends (0: still under the limit). */
  async recordFailure(attempt: Attempt): Promise<number> {
    const keys = this.keys(attempt);
    return Number(await this.redis.eval(FAIL, keys.length, ...keys, this.options.maxFailures, this.options.windowSeconds * 1000));
  }

  private keys(attempt: Attempt): string[] {
    // User names come from the client: hashed, so a key never holds (or grows with) what was typed.
    const base = `${this.prefix}:dashboard:auth-failures`;
    const keys = [`${base}:addr:${attempt.address}`];
    if (attempt.user) keys.push(`${base}:user:${createHash("sha256").update(attempt.user).digest("hex").slice(0, 32)}`);
    return keys;
  }
}
