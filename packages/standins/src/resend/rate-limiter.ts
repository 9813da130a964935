/** The verdict of the limiter, with the values of Resend's `ratelimit-*` headers. */
export interface RateVerdict {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until a slot frees up (at least 1 when nothing is left). */
  resetSeconds: number;
}

/** A sliding one-second window per API key: at most `limit` admitted requests in any 1000 ms. */
export class SlidingWindowLimiter {
  private readonly windows = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly now: () => number,
    private readonly windowMs = 1000,
  ) {}

  /** Admits or refuses one request for `key`; refused requests do not use up the window. */
  take(key: string): RateVerdict {
    const now = this.now();
    const recent = (this.windows.get(key) ?? []).filter((t) => now - t < this.windowMs);
    this.windows.set(key, recent);
    if (this.limit <= 0) return { allowed: true, limit: 0, remaining: 0, resetSeconds: 0 };
    const oldest = recent[0];
    if (recent.length >= this.limit && oldest !== undefined) {
      const resetSeconds = Math.max(1, Math.ceil((oldest + this.windowMs - now) / 1000));
      return { allowed: false, limit: this.limit, remaining: 0, resetSeconds };
    }
    recent.push(now);
    const first = recent[0] ?? now;
    return {
      allowed: true,
      limit: this.limit,
      remaining: this.limit - recent.length,
      resetSeconds: Math.max(0, Math.ceil((first + this.windowMs - now) / 1000)),
    };
  }

  get enabled(): boolean {
    return this.limit > 0;
  }

  clear(): void {
    this.windows.clear();
  }
}

/** Resend's `ratelimit-*` headers (IETF draft names, as Resend sends them). */
export function rateLimitHeaders(verdict: RateVerdict): Record<string, string> {
  return {
    "ratelimit-limit": String(verdict.limit),
    "ratelimit-remaining": String(verdict.remaining),
    "ratelimit-reset": String(verdict.resetSeconds),
  };
}
