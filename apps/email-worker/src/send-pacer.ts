// Resend's rate limit, as Resend counts it: a sliding window of `limit` requests per second per
// team. Every copy of the worker shares one copy of that window in Redis (a sorted set of places,
// on Redis' clock), so a request leaves only when the provider's own window has room for it.
// A place is anchored on the provider's answer: held while its request is on the way, it becomes
// the moment the answer came back once answered. The provider counted the request no later than
// that, so the request two places later leaves a whole window after it whatever the delays on the
// way (an anchor on the send time drew 429s on a loaded machine). A caller may take a place up to
// `aheadMs` before it opens (the place it takes over frees at a known time): it prepares its
// request meanwhile (the batch's last re-check) and sends at the opening, nothing awaited between.
// `ratelimit-limit` replaces the configured limit, `ratelimit-remaining` adds the requests the
// provider counted that this window did not (another client of the team), and a 429 blocks every
// copy for its `retry-after` and widens the margin, which narrows again while requests pass.
import { randomUUID } from "node:crypto";
import type { RedisConnection as Redis } from "@callastar/queues";
import { RateLimitedError } from "@callastar/errors";
import type { ProviderRate } from "@callastar/emails";

// KEYS: window (zset), blocked-until, urgent mark, state (hash: limit, margin).
// ARGV: place id, urgent, default limit, window ms, default margin, urgent mark ms, yield ms,
// ahead ms, hold ms, in-flight poll ms. Returns { 0, ms to wait }, { 1, ms until the place opens },
// or { -1, ms to wait }: a non-urgent caller yields to an urgent one.
// A place whose request is on its way has the score now + hold (it frees only once answered); the
// place a new request needs is the (n - limit + 1)-th oldest of the n held: the ones before it
// were taken over by earlier callers.
const ACQUIRE = `
if ARGV[2] == '1' then redis.call('SET', KEYS[3], '1', 'PX', ARGV[6])
elseif redis.call('EXISTS', KEYS[3]) == 1 then return {-1, tonumber(ARGV[7])} end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ahead = tonumber(ARGV[8])
local opens = now
local blocked = tonumber(redis.call('GET', KEYS[2]) or '0')
if blocked > now + ahead then return {0, blocked - now - ahead} end
if blocked > now then opens = blocked end
local limit = tonumber(redis.call('HGET', KEYS[4], 'limit') or ARGV[3])
local span = tonumber(ARGV[4]) + tonumber(redis.call('HGET', KEYS[4], 'margin') or ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - span)
local n = redis.call('ZCARD', KEYS[1])
if n >= limit then
  local anchor = tonumber(redis.call('ZRANGE', KEYS[1], n - limit, n - limit, 'WITHSCORES')[2])
  -- Still on its way: its answer will fix when it frees.
  if anchor > now then return {0, tonumber(ARGV[10])} end
  if anchor + span > now + ahead then return {0, anchor + span - now - ahead} end
  opens = math.max(opens, anchor + span)
end
local hold = tonumber(ARGV[9])
redis.call('ZADD', KEYS[1], opens + hold, ARGV[1])
redis.call('PEXPIRE', KEYS[1], hold + span * 4)
return {1, opens - now}`;

// The request leaves now: its place is held until its answer (at most ARGV[2] ms, for a copy that dies meanwhile).
const SENDING = `
local t = redis.call('TIME')
redis.call('ZADD', KEYS[1], tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[2]), ARGV[1])
return 0`;

// The place was not used (the batch went empty, the lease was lost, the loop stopped).
const UNUSED = `redis.call('ZREM', KEYS[1], ARGV[1]) return 0`;

// A 429: the request did not count; nobody sends before retry-after; the margin widens.
// ARGV: place id, retry-after ms, default margin, margin step, margin max.
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
// ARGV: limit, remaining, window ms, default margin, margin floor, margin decay, limit fallback, place id.
const ACCEPTED = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now, ARGV[8])
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
export interface PaceSlot {
  /** When the place opens (epoch ms, this process' clock): the request must not leave before. */
  readonly opensAt: number;
  /** The request leaves now (call right before it; no need to wait for it): its place is held until its answer. */
  sending(): Promise<void>;
  /** The provider's answer: accepted or failed (with its ratelimit-* headers, if any), a 429's retry-after, or no request sent. */
  settle(answer: { rate?: ProviderRate | undefined } | { retryAfterMs: number } | { unused: true }): Promise<void>;
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
  /**
   * An urgent caller will ask soon: the others take no place for the next `ms` (at most 2 s), so
   * places are free when it asks (a place taken now is held a window after its answer).
   */
  announceUrgent(ms: number): Promise<void>;
  /** Whether an urgent caller is waiting, or was announced (`announceUrgent`). */
  urgentWaiting(): Promise<boolean>;
  /**
   * Waits for room in the provider's window, or until a place opens within `aheadMs` (default 0:
   * open now); rejects with a RateLimitedError (no attempt spent) once `signal` aborts. A
   * non-urgent caller with `giveWay` rejects with GaveWayError, instead of waiting, while an urgent
   * caller waits (a sender loop then frees itself for reminders).
   */
  acquire(options?: { urgent?: boolean; giveWay?: boolean; signal?: AbortSignal | undefined; aheadMs?: number }): Promise<PaceSlot>;
}

export interface SendPacerOptions {
  /** Redis keys' prefix (put the queue prefix in it). */
  key: string;
  /** Requests per window until the provider says otherwise; 0 turns pacing off. */
  limit: number;
  windowMs?: number;
  /** Added to the window after each answer (clocks' granularity, how the provider rounds): the floor of the adaptive margin. */
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
/**
 * How often a caller asks again while the place it needs is held by a request on its way. That
 * place opens a whole window after the answer, so asking more often gains nothing.
 */
const IN_FLIGHT_POLL_MS = 100;

/** Nothing to pace (tests, a provider without a limit). */
export const noPacing: SendPacer = {
  announceUrgent: async () => {},
  urgentWaiting: async () => false,
  acquire: async () => ({ opensAt: Date.now(), sending: async () => {}, settle: async () => {} }),
};

/** The pacer shared through Redis by every copy that sends to one provider team. */
export function createSendPacer(redis: Redis, options: SendPacerOptions): SendPacer {
  if (options.limit <= 0) return noPacing;
  const windowMs = options.windowMs ?? 1_000;
  const keys = [`${options.key}:window`, `${options.key}:blocked`, `${options.key}:urgent`, `${options.key}:state`];
  const floor = options.marginMs;
  return {
    async announceUrgent(ms) {
      await redis.set(keys[2]!, "1", "PX", Math.max(1, Math.min(URGENT_MARK_MS, Math.round(ms))));
    },
    async urgentWaiting() {
      return (await redis.exists(keys[2]!)) === 1;
    },
    async acquire({ urgent = false, giveWay = false, signal, aheadMs = 0 } = {}) {
      const id = randomUUID();
      let opensInMs: number;
      for (;;) {
        if (signal?.aborted) throw stopped();
        const args = [id, urgent ? "1" : "0", options.limit, windowMs, floor, URGENT_MARK_MS, YIELD_POLL_MS, Math.max(0, Math.round(aheadMs)), IN_FLIGHT_HOLD_MS, IN_FLIGHT_POLL_MS];
        const [taken, ms] = (await redis.eval(ACQUIRE, 4, ...keys, ...args)) as [number, number];
        if (taken === 1) {
          opensInMs = ms;
          break;
        }
        if (taken === -1 && giveWay) throw new GaveWayError();
        await sleep(Math.max(1, ms), signal);
      }
      // Counted from the answer's arrival here, so the opening is never earlier than Redis said.
      const opensAt = Date.now() + opensInMs;
      return {
        opensAt,
        sending: async () => void (await redis.eval(SENDING, 1, keys[0]!, id, IN_FLIGHT_HOLD_MS)),
        async settle(answer) {
          if ("unused" in answer) {
            await redis.eval(UNUSED, 1, keys[0]!, id);
            return;
          }
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
