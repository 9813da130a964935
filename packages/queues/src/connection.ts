import { Redis, type RedisOptions } from "ioredis";
import { fallbackLogSink, type LogSink } from "@callastar/process-log/sink";

/** ioredis options plus the process logger its connection errors go to. */
export type ConnectionOptions = RedisOptions & { log?: LogSink };

/** Connection for Workers and QueueEvents: blocking commands must retry forever (BullMQ requirement). */
export function createWorkerConnection(url: string, { log, ...options }: ConnectionOptions = {}): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, ...options });
  redis.on("error", (error) => reportRedisError(log, "worker", error));
  return redis;
}

/** Connection for producers: fail fast so a web request never hangs on a Redis outage. */
export function createProducerConnection(url: string, { log, ...options }: ConnectionOptions = {}): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 5_000,
    ...options,
  });
  redis.on("error", (error) => reportRedisError(log, "producer", error));
  return redis;
}

// ioredis emits "error" on every reconnect attempt; without a listener Node would crash the process.
let lastReport = 0;
function reportRedisError(log: LogSink | undefined, role: string, error: Error): void {
  const now = Date.now();
  if (now - lastReport < 5_000) return; // one line per 5 s is enough to see an outage
  lastReport = now;
  (log ?? fallbackLogSink()).error({ redisRole: role, err: error }, `redis ${role} connection error: ${error.message}`);
}

/** Resolves once `redis` is ready (connects it when lazy); rejects after `timeoutMs`. */
export async function waitForRedis(redis: Redis, timeoutMs = 10_000): Promise<void> {
  if (redis.status === "ready") return;
  if (redis.status === "wait") void redis.connect().catch(() => undefined);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Redis not ready after ${timeoutMs} ms (status ${redis.status})`));
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      redis.off("ready", onReady);
    };
    redis.on("ready", onReady);
  });
}
