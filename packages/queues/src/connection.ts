import { Cluster, Redis, type ClusterOptions, type RedisOptions } from "ioredis";
import { fallbackLogSink, type LogSink } from "@callastar/process-log/sink";
import type { RedisTarget } from "./redis-target";

/** A client of any topology: BullMQ and every key the project writes take either. */
export type RedisConnection = Redis | Cluster;

/** ioredis options plus the process logger its connection errors go to. */
export type ConnectionOptions = RedisOptions & { log?: LogSink };

type Role = "worker" | "producer";

// Blocking commands (BRPOPLPUSH, BZPOPMIN) must wait out a failover rather than fail: BullMQ requires null.
const WORKER_OPTIONS: RedisOptions = { maxRetriesPerRequest: null, enableReadyCheck: true };
// A web request must never hang on a Redis outage: one retry, no offline queue, bounded connect.
const PRODUCER_OPTIONS: RedisOptions = { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 5_000 };

/** Connection for Workers and QueueEvents: blocking commands must retry forever (BullMQ requirement). */
export function createWorkerConnection(target: string, options?: ConnectionOptions): Redis;
export function createWorkerConnection(target: RedisTarget | string, options?: ConnectionOptions): RedisConnection;
export function createWorkerConnection(target: RedisTarget | string, options: ConnectionOptions = {}): RedisConnection {
  return createRedisConnection(target, "worker", options);
}

/** Connection for producers: fail fast so a web request never hangs on a Redis outage. */
export function createProducerConnection(target: string, options?: ConnectionOptions): Redis;
export function createProducerConnection(target: RedisTarget | string, options?: ConnectionOptions): RedisConnection;
export function createProducerConnection(target: RedisTarget | string, options: ConnectionOptions = {}): RedisConnection {
  return createRedisConnection(target, "producer", options);
}

/** The one factory: the client of `target`'s topology with `role`'s retry settings and an error listener. */
function createRedisConnection(target: RedisTarget | string, role: Role, { log, ...overrides }: ConnectionOptions): RedisConnection {
  const resolved: RedisTarget = typeof target === "string" ? { kind: "url", url: target } : target;
  const base = { ...(role === "worker" ? WORKER_OPTIONS : PRODUCER_OPTIONS), ...overrides };
  const client = build(resolved, base);
  client.on("error", (error: Error) => reportRedisError(log, role, error));
  return client;
}

function build(target: RedisTarget, options: RedisOptions): RedisConnection {
  if (target.kind === "url") return new Redis(target.url, options);
  const auth: RedisOptions = {
    ...(target.username ? { username: target.username } : {}),
    ...(target.password ? { password: target.password } : {}),
    ...(target.tls ? { tls: {} } : {}),
  };
  if (target.kind === "sentinel") {
    return new Redis({
      ...options,
      ...auth,
      sentinels: target.sentinels,
      name: target.name,
      ...(target.sentinelPassword ? { sentinelPassword: target.sentinelPassword } : {}),
      ...(target.tls ? { enableTLSForSentinelMode: true, sentinelTLS: {} } : {}),
    });
  }
  // The offline queue, the ready check and reconnects are the cluster's options; the rest are per node.
  const { enableOfflineQueue, enableReadyCheck, lazyConnect, retryStrategy, ...perNode } = options;
  const clusterOptions: ClusterOptions = {
    redisOptions: { ...perNode, ...auth },
    ...(retryStrategy !== undefined ? { clusterRetryStrategy: retryStrategy } : {}),
    ...(enableOfflineQueue !== undefined ? { enableOfflineQueue } : {}),
    ...(enableReadyCheck !== undefined ? { enableReadyCheck } : {}),
    ...(lazyConnect !== undefined ? { lazyConnect } : {}),
    // Managed TLS clusters announce node names their certificates carry; resolving them would break the match.
    ...(target.tls ? { dnsLookup: (address: string, done: (err: Error | null, address: string) => void) => done(null, address) } : {}),
  };
  return new Cluster(target.nodes, clusterOptions);
}

// ioredis emits "error" on every reconnect attempt; without a listener Node would crash the process.
let lastReport = 0;
function reportRedisError(log: LogSink | undefined, role: string, error: Error): void {
  const now = Date.now();
  if (now - lastReport < 5_000) return; // one line per 5 s is enough to see an outage
  lastReport = now;
  (log ?? fallbackLogSink()).error({ redisRole: role, err: error }, `redis ${role} connection error: ${error.message}`);
}

// One "ready" listener per connection however many callers wait (a burst of enqueues before the
// connection is up added one each, past Node's listener warning).
const readyWaits = new WeakMap<RedisConnection, Promise<void>>();
function whenReady(redis: RedisConnection): Promise<void> {
  let ready = readyWaits.get(redis);
  if (!ready) {
    ready = new Promise<void>((resolve) => redis.once("ready", () => resolve())).finally(() => readyWaits.delete(redis));
    readyWaits.set(redis, ready);
  }
  return ready;
}

/** Resolves once `redis` is ready (connects it when lazy); rejects after `timeoutMs`. */
export async function waitForRedis(redis: RedisConnection, timeoutMs = 10_000): Promise<void> {
  if (redis.status === "ready") return;
  const ready = whenReady(redis);
  if (redis.status === "wait") void redis.connect().catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis not ready after ${timeoutMs} ms (status ${redis.status})`)), timeoutMs);
  });
  try {
    await Promise.race([ready, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
