import type { RedisConnection as Redis } from "@callastar/queues";

// GCRA in one Lua call on Redis' own clock: every copy of every worker shares one limit per key,
// and a burst across a window edge can never exceed `max` per `durationMs`. An urgent caller
// (due reminders) marks KEYS[2] for a moment; while it is marked, ordinary callers take no slot.
const GCRA = `
if ARGV[3] == '1' then redis.call('SET', KEYS[2], '1', 'PX', ARGV[4])
elseif redis.call('EXISTS', KEYS[2]) == 1 then return tonumber(ARGV[5]) end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local allowAt = tat + interval - burst
if now < allowAt then return allowAt - now end
redis.call('SET', KEYS[1], tat + interval, 'PX', math.ceil(tat + interval - now + burst))
return 0`;

export interface RateLimiter {
  /** Waits until a slot is free, then takes it; `urgent` callers go before the others. */
  acquire(options?: { urgent?: boolean }): Promise<void>;
}

// An urgent caller's mark outlives its wait between two slots; ordinary callers re-check this often.
const URGENT_MARK_MS = 2_000;
const YIELD_POLL_MS = 100;

export interface RateLimiterOptions {
  /** Redis key holding the limiter state (put the queue prefix in it). */
  key: string;
  /** Requests allowed per `durationMs`; 0 disables the limiter. */
  max: number;
  durationMs?: number;
  /**
   * Extra spacing between two slots. The provider counts requests when they reach it, a few ms to
   * a few hundred ms after the slot (JSON of 100 emails, a busy event loop): without a margin, two
   * slots' requests can land closer than the provider's window and one gets a 429, which costs a
   * whole `retry-after` second.
   */
  marginMs?: number;
}

/** A distributed rate limiter (e.g. Resend 2 req/s, Daily DELETE 2 req/s) shared through Redis. */
export function createRateLimiter(redis: Redis, { key, max, durationMs = 1000, marginMs = 0 }: RateLimiterOptions): RateLimiter {
  if (max <= 0) return { acquire: async () => {} };
  const interval = durationMs / max + marginMs;
  return {
    async acquire(options = {}) {
      const urgent = options.urgent ? "1" : "0";
      for (;;) {
        const wait = Number(await redis.eval(GCRA, 2, key, `${key}:urgent`, interval, interval, urgent, URGENT_MARK_MS, YIELD_POLL_MS));
        if (wait <= 0) return;
        await new Promise((r) => setTimeout(r, wait));
      }
    },
  };
}
