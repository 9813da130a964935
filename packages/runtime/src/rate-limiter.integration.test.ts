import { Redis } from "ioredis";
import { obliteratePrefix, testEnv, uniquePrefix } from "@callastar/testing";
import { createRateLimiter } from "./rate-limiter";

// Two limiters on two connections stand for two copies of a worker: the limit must hold across them.
it("holds one limit across several copies of a worker", async () => {
  const prefix = uniquePrefix("rl");
  const a = new Redis(testEnv.redisUrl);
  const b = new Redis(testEnv.redisUrl);
  try {
    const key = `${prefix}:ratelimit:resend`;
    const copies = [createRateLimiter(a, { key, max: 10 }), createRateLimiter(b, { key, max: 10 })];
    const taken: number[] = [];
    const t0 = Date.now();
    await Promise.all(
      copies.map(async (limiter) => {
        for (let i = 0; i < 10; i++) {
          await limiter.acquire();
          taken.push(Date.now() - t0);
        }
      }),
    );
    taken.sort((x, y) => x - y);
    // 20 slots at 10/s, one every 100 ms: the last cannot come before ~1.9 s, and no 1 s window holds more than 10.
    expect(taken[19]!).toBeGreaterThanOrEqual(1_800);
    for (let i = 10; i < taken.length; i++) expect(taken[i]! - taken[i - 10]!).toBeGreaterThanOrEqual(900);
  } finally {
    a.disconnect();
    b.disconnect();
    await obliteratePrefix(prefix);
  }
});

it("is a no-op when the limit is 0 (off): it never talks to Redis", async () => {
  // A connection that is never opened and refuses to queue commands: any Redis call would reject.
  const offline = new Redis(testEnv.redisUrl, { lazyConnect: true, enableOfflineQueue: false });
  try {
    const limiter = createRateLimiter(offline, { key: "unused", max: 0 });
    for (let i = 0; i < 100; i++) await limiter.acquire();
    expect(offline.status).toBe("wait");
  } finally {
    offline.disconnect();
  }
});
