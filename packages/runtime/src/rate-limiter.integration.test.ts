import { Redis } from "ioredis";
import { obliteratePrefix, testEnv, uniquePrefix, waitFor } from "@callastar/testing";
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

it("gives urgent callers every slot while they wait, ordinary ones resume after", async () => {
  const prefix = uniquePrefix("rl");
  const a = new Redis(testEnv.redisUrl);
  const b = new Redis(testEnv.redisUrl);
  // Also stops the background caller when an assertion fails, so nothing runs on past the test.
  let stop = false;
  try {
    const key = `${prefix}:ratelimit:resend`;
    const ordinary = createRateLimiter(a, { key, max: 10 });
    const urgent = createRateLimiter(b, { key, max: 10 });
    const ordinaryTaken: number[] = [];
    const background = (async () => {
      while (!stop) {
        await ordinary.acquire();
        ordinaryTaken.push(Date.now());
      }
    })();
    await waitFor("three ordinary slots", () => ordinaryTaken.length >= 3, { timeoutMs: 10_000 });
    const urgentStart = Date.now();
    for (let i = 0; i < 10; i++) await urgent.acquire({ urgent: true });
    const urgentEnd = Date.now();
    const countAtUrgentEnd = ordinaryTaken.length;
    // Once the urgent mark lapses the ordinary caller gets slots again.
    await waitFor("the ordinary caller served again", () => ordinaryTaken.length >= countAtUrgentEnd + 2, { timeoutMs: 10_000 });
    stop = true;
    await background;
    // At most the one slot the ordinary caller was already waiting for lands after the urgent caller came.
    expect(ordinaryTaken.filter((t) => t > urgentStart && t <= urgentEnd).length).toBeLessThanOrEqual(1);
  } finally {
    stop = true;
    a.disconnect();
    b.disconnect();
    await obliteratePrefix(prefix);
  }
});
