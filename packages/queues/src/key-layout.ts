import type { QueueName } from "./catalog/queues";
import type { RedisConnection } from "./connection";

/**
 * The BullMQ prefix of `queue`. On a Cluster each queue gets its own hash tag (`<prefix>:{<queue>}`),
 * so one queue's keys (and its flows: a fan-out's summary and children live in one queue) share a
 * slot while queues spread over the shards. On one server or Sentinel the prefix is used as
 * configured, so the key names of jobs already in Redis never change on upgrade.
 */
export function queuePrefix(prefix: string, queue: QueueName, redis: Pick<RedisConnection, "isCluster">): string {
  return redis.isCluster ? `${prefix}:{${queue}}` : prefix;
}

/**
 * A key the project writes itself beside `queue`'s (a rate limiter, a lock, a metric): in that queue's
 * slot on a Cluster, `<prefix>:<rest>` (its historical name) elsewhere.
 */
export function queueKey(prefix: string, queue: QueueName, rest: string, redis: Pick<RedisConnection, "isCluster">): string {
  return `${queuePrefix(prefix, queue, redis)}:${rest}`;
}
