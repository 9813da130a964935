// The outbox relay's lag histogram (commit → job in Redis), kept in one Redis hash so that every
// relay copy adds to it and the dashboard's /metrics reads one figure for the whole system.
import type { RedisConnection as Redis } from "./connection";

/** Upper bounds (seconds) of the relay lag histogram's buckets. */
export const RELAY_LAG_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300] as const;

/** The hash holding the histogram: fields `b<i>` (rows whose lag fell in bucket i, not cumulative; i = length is +Inf), `sum`, `count`. */
export const relayLagKey = (prefix: string) => `${prefix}:outbox:relay-lag`;

/** Adds relayed rows' lags (seconds) to the histogram, in one round trip. */
export async function recordRelayLag(redis: Redis, prefix: string, lagsSeconds: readonly number[]): Promise<void> {
  if (lagsSeconds.length === 0) return;
  const perBucket = new Map<number, number>();
  let sum = 0;
  for (const lag of lagsSeconds) {
    const i = RELAY_LAG_BUCKETS.findIndex((le) => lag <= le);
    const bucket = i === -1 ? RELAY_LAG_BUCKETS.length : i;
    perBucket.set(bucket, (perBucket.get(bucket) ?? 0) + 1);
    sum += Math.max(0, lag);
  }
  const key = relayLagKey(prefix);
  const multi = redis.multi();
  for (const [bucket, n] of perBucket) multi.hincrby(key, `b${bucket}`, n);
  multi.hincrbyfloat(key, "sum", sum).hincrby(key, "count", lagsSeconds.length);
  await multi.exec();
}

/** The histogram as Prometheus wants it: cumulative counts per upper bound (last: +Inf), sum and count. */
export async function readRelayLag(redis: Redis, prefix: string): Promise<{ buckets: Array<{ le: number; count: number }>; sum: number; count: number }> {
  const fields = await redis.hgetall(relayLagKey(prefix));
  let running = 0;
  const bounds = [...RELAY_LAG_BUCKETS, Infinity];
  const buckets = bounds.map((le, i) => ({ le, count: (running += Number(fields[`b${i}`] ?? 0)) }));
  return { buckets, sum: Number(fields.sum ?? 0), count: Number(fields.count ?? 0) };
}
