import { Redis } from "ioredis";
import { freePort, testEnv } from "@callastar/testing";
import { waitForRedis } from "./connection";

it("many callers waiting for one connection share one ready listener, and all go on once it is ready", async () => {
  const redis = new Redis(testEnv.redisUrl, { lazyConnect: true });
  try {
    const waits = Array.from({ length: 50 }, () => waitForRedis(redis, 5_000));
    expect(redis.listenerCount("ready")).toBe(1);
    await Promise.all(waits);
    expect(redis.status).toBe("ready");
  } finally {
    redis.disconnect();
  }
});

it("a connection that never becomes ready fails the wait after its timeout, naming its status", async () => {
  const port = await freePort();
  const redis = new Redis({ host: "127.0.0.1", port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => 50 });
  redis.on("error", () => undefined);
  try {
    await expect(waitForRedis(redis, 300)).rejects.toThrow(/Redis not ready after 300 ms \(status \w+\)/);
  } finally {
    redis.disconnect();
  }
});
