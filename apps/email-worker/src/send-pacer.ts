// Resend's rate limit, as Resend counts it: a sliding window of `limit` requests per second per
// team. Every copy of the worker shares one copy of that window in Redis (a sorted set of the
// requests of the last window, on Redis' clock), so a request leaves only when the provider's own
// window has room for it. The window is anchored on the provider's answers: a request's place in it
// is held while the request is on its way and, once answered, is the moment the answer came back:
// the provider counted the request no later than that, so the request two places later leaves a
// whole window after it whatever the delays on the way (an anchor on the send time drew 429s on a
// loaded machine, where arrival lagged the send by more than any fixed margin). `ratelimit-limit` replaces the configured limit, `ratelimit-remaining` adds the requests the
// provider counted that this window did not (another client of the team), and a 429 blocks every
// copy for its `retry-after` and widens the margin, which narrows again while requests pass.
import { randomUUID } from "node:crypto";
import type { RedisConnection as Redis } from "@callastar/queues";
import { RateLimitedError } from "@callastar/errors";
import type { ProviderRate } from "@callastar/emails";

// KEYS: window (zset), blocked-until, urgent mark, state (hash: limit, margin).
// ARGV: slot id, urgent, default limit, window ms, default margin, urgent mark ms.
// Returns 0 (slot taken), the ms to wait, or -1: a non-urgent caller yields to an urgent one.
const ACQUIRE = `
if ARGV[2] == '1' then redis.call('SET', KEYS[3], '1', 'PX', ARGV[6])
elseif redis.call('EXISTS', KEYS[3]) == 1 then return -1 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local blocked = tonumber(redis.call('GET', KEYS[2]) or '0')
if blocked > now then return blocked - now end
local limit = tonumber(redis.call('HGET', KEYS[4], 'limit') or ARGV[3])
local span = tonumber(ARGV[4]) + tonumber(redis.call('HGET', KEYS[4], 'margin') or ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - span)
if redis.call('ZCARD', KEYS[1]) >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + span - now)
end
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('PEXPIRE', KEYS[1], span * 4)
return 0`;

// The request leaves now: its place is held until its answer (at most ARGV[2] ms, for a copy that dies meanwhile).
const SENDING = `
local t = redis.call('TIME')
redis.call('ZADD', KEYS[1], 'XX', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[2]), ARGV[1])
return 0`;

// A 429: the request did not count; nobody sends before retry-after; the margin widens.
// ARGV: slot id, retry-after ms, default margin, margin step, margin max.
const REFUSED = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREM', KEYS[1], ARGV[1])
local till = now + tonumber(ARGV[2])
if till > tonumber(redis.call('GET', KEYS[2]) or '0') then redis.call('SET', KEYS[2], till, 'PX', ARGV[2]) end
local margin = tonumber(redis.call('HGET', KEYS[4], 'margin') or ARGV[3])
redis.call('HSET', KEYS[4], 'margin', math.min(tonumber(ARGV[5]), margin + tonumber(ARGV[4])))
return 0`;

// An answered request (accepted, or failed in a way Resend may have counted): its place is the
// answer's moment. With the provider's count: its limit is the limit; requests it counted that the
// window lacks are added (now, the safe side); the margin narrows a little, not below the floor.
// ARGV: limit, remaining, window ms, default margin, margin floor, margin decay, limit fallback, slot id.
const ACCEPTED = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], 'XX', now, ARGV[8])
if ARGV[1] ~= '' then
  local limit = tonumber(ARGV[1])
  redis.call('HSET', KEYS[4], 'limit', limit)
  local span = tonumber(ARGV[3]) + tonumber(redis.call('HGET', KEYS[4], 'margin') or ARGV[4])
  local seen = redis.call('ZCOUNT', KEYS[1], now - span, '+inf')
  local used = limit - tonumber(ARGV[2])
  for i = seen + 1, used do redis.call('ZADD', KEYS[1], now, 'provider:' .. now .. ':' .. i) end
end
local margin = tonumber(redis.call('HGET', KEYS[4], 'margin') or ARGV[4])
if margin > tonumber(ARGV[5]) then redis.call('HSET', KEYS[4], 'margin', math.max(tonumber(ARGV[5]), margin - tonumber(ARGV[6]))) end
redis.call('PEXPIRE', KEYS[4], 3600000)
return 0`;

/** A place in the provider's window, taken for one request. */
interface PaceSlot {
  /** The request leaves now (call right before it): its place moves to this moment. */
  sending(): Promise<void>;
  /** The provider's answer: accepted or failed (with its ratelimit-* headers, if any), or a 429's retry-after. */
  settle(answer: { rate?: ProviderRate | undefined } | { retryAfterMs: number }): Promise<void>;
}

/** A non-urgent caller that asked to give way found an urgent one waiting (see `acquire`). */
export class GaveWayError extends Error {
  override name = "GaveWayError";
  constructor() {
    super("an urgent send is waiting: this one gave way");
  }
}

/** Paces requests to the provider; `urgent` callers (due reminders) go before the others. */
export interface SendPacer {
  /**
   * Waits for room in the provider's window; rejects with a RateLimitedError (no attempt spent) once
   * `signal` aborts. A non-urgent caller with `giveWay` rejects with GaveWayError, instead of
   * waiting, while an urgent caller waits (a sender loop then frees itself for reminders).
   */
  acquire(options?: { urgent?: boolean; giveWay?: boolean; signal?: AbortSignal | undefined }): Promise<PaceSlot>;
  /** Whether an urgent caller is waiting, or stands by (`standBy`). */
  urgentWaiting(): Promise<boolean>;
  /** Holds non-urgent callers back for `ms` as if an urgent one waited: reminders about to fall due find the window empty. */
  standBy(ms: number): Promise<void>;
}

export interface SendPacerOptions {
  /** Redis keys' prefix (put the queue prefix in it). */
  key: string;
  /** Requests per window until the provider says otherwise; 0 turns pacing off. */
  limit: number;
  windowMs?: number;
  /** Added to the window: how late after its `sending` a request may reach the provider. The floor of the adaptive margin. */
  marginMs: number;
}

/** A caller past its urgent mark's life is no longer counted as waiting. */
const URGENT_MARK_MS = 2_000;
/** How often a caller that yields to an urgent one looks again. */
const YIELD_POLL_MS = 100;
/** A 429 widens the margin by this much (up to MARGIN_MAX_MS); every accepted request narrows it by MARGIN_DECAY_MS. */
const MARGIN_STEP_MS = 100;
const MARGIN_MAX_MS = 1_000;
const MARGIN_DECAY_MS = 5;
/** A request in flight holds its place this long at most (the transport's own timeout is 10 s). */
const IN_FLIGHT_HOLD_MS = 15_000;

const FREE_SLOT: PaceSlot = { sending: async () => {}, settle: async () => {} };

/** Nothing to pace (tests, a provider without a limit). */
export const noPacing: SendPacer = { acquire: async () => FREE_SLOT, urgentWaiting: async () => false, standBy: async () => {} };

/** The pacer shared through Redis by every copy that sends to one provider team. */
export function createSendPacer(redis: Redis, options: SendPacerOptions): SendPacer {
  if (options.limit <= 0) return noPacing;
  const windowMs = options.windowMs ?? 1_000;
  const keys = [`${options.key}:window`, `${options.key}:blocked`, `${options.key}:urgent`, `${options.key}:state`];
  const floor = options.marginMs;
  return {
    async urgentWaiting() {
      return (await redis.exists(keys[2]!)) === 1;
    },
    async standBy(ms) {
      if (ms > 0) await redis.set(keys[2]!, "1", "PX", Math.ceil(ms));
    },
    async acquire({ urgent = false, giveWay = false, signal } = {}) {
      const id = randomUUID();
      for (;;) {
        if (signal?.aborted) throw stopped();
        const wait = Number(await redis.eval(ACQUIRE, 4, ...keys, id, urgent ? "1" : "0", options.limit, windowMs, floor, URGENT_MARK_MS));
        if (wait === 0) break;
        if (wait < 0 && giveWay) throw new GaveWayError();
        await sleep(wait < 0 ? YIELD_POLL_MS : wait, signal);
      }
      return {
        sending: async () => void (await redis.eval(SENDING, 1, keys[0]!, id, IN_FLIGHT_HOLD_MS)),
        async settle(answer) {
          if ("retryAfterMs" in answer) {
            await redis.eval(REFUSED, 4, ...keys, id, Math.max(1, Math.round(answer.retryAfterMs)), floor, MARGIN_STEP_MS, MARGIN_MAX_MS);
            return;
          }
          const rate = answer.rate;
          await redis.eval(ACCEPTED, 4, ...keys, rate ? rate.limit : "", rate ? rate.remaining : "", windowMs, floor, floor, MARGIN_DECAY_MS, options.limit, id);
        },
      };
    },
  };
}

// A caller stopped while it waited (SIGTERM): its job goes back to the queue without an attempt.
const stopped = () => new RateLimitedError("stopping: waiting for a Resend slot given up, job put back", 0);

const sleep = (ms: number, signal: AbortSignal | undefined) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
