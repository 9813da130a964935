import { Redis } from "ioredis";
import { startRedisServer, testEnv, uniquePrefix, waitFor, type RedisServer } from "@callastar/testing";
import { LockLostError, withLock } from "./redis-lock";

// The lock's holder works in steps and checks its signal before each one, as the fan-out does
// before each change to a queue. Each test ends at a known point: the holder's loop has returned.
let redis: Redis;
let other: Redis;
let key: string;

beforeEach(() => {
  redis = new Redis(testEnv.redisUrl, { maxRetriesPerRequest: 1 });
  other = new Redis(testEnv.redisUrl, { maxRetriesPerRequest: 1 });
  key = `${uniquePrefix("lock")}:lock:test`;
});
afterEach(async () => {
  await other.del(key);
  redis.disconnect();
  other.disconnect();
});

/** A holder doing one step every 20 ms until its signal aborts; `steps` counts steps done after the loss was made. */
function stepper(onStart: () => Promise<void>) {
  const done = { stepsAfterLoss: 0, lossMade: false, finished: false };
  const work = async (signal: AbortSignal) => {
    await onStart();
    done.lossMade = true;
    for (;;) {
      await new Promise((r) => setTimeout(r, 20));
      if (signal.aborted) break;
      done.stepsAfterLoss++;
      if (done.stepsAfterLoss > 500) return "never lost";
    }
    done.finished = true;
    return "stopped";
  };
  return { done, work };
}

it("aborts the holder's signal and rejects once its key is deleted under it", async () => {
  const { done, work } = stepper(async () => void (await other.del(key)));
  let holder: Promise<string> | undefined;
  const outcome = withLock(redis, key, "busy", (signal) => (holder = work(signal)), { ttlMs: 900, pollMs: 20 });
  await expect(outcome).rejects.toBeInstanceOf(LockLostError);
  // The holder saw its signal and stopped: nothing more happens after this point.
  await expect(holder).resolves.toBe("stopped");
  expect(done.finished).toBe(true);
  // Steps between the loss and its detection (at most one extension window) still ran; none after.
  const stepsAtRejection = done.stepsAfterLoss;
  expect(stepsAtRejection).toBeLessThan(500);
  expect(done.stepsAfterLoss).toBe(stepsAtRejection);
});

it("aborts the holder whose lock another process took over", async () => {
  const { work } = stepper(async () => void (await other.set(key, "someone-else", "PX", 60_000)));
  await expect(withLock(redis, key, "busy", work, { ttlMs: 900, pollMs: 20 })).rejects.toBeInstanceOf(LockLostError);
  expect(await other.get(key)).toBe("someone-else"); // the loser never releases the winner's lock
});

it("keeps a lock held longer than its ttl, and a second caller waits, then gives up with its message", async () => {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const first = withLock(redis, key, "busy", async (signal) => {
    await held;
    return signal.aborted ? "aborted" : "kept";
  }, { ttlMs: 3_000, pollMs: 20 });
  // Released whatever happens below: a holder left waiting keeps extending, and jest never exits.
  try {
    // The second caller comes once the first holds the lock (started together, it could win).
    await waitFor("the first caller holding the lock", async () => (await other.exists(key)) === 1);
    await expect(withLock(other, key, "another run holds the lock", async () => "second", { ttlMs: 3_000, waitMs: 1_500, pollMs: 50 })).rejects.toThrow(
      "another run holds the lock",
    );
    // Held past its first lifetime: the key's remaining time went up, so an extension happened.
    // (A ttl of a few seconds leaves a loaded CI machine room to extend in time.)
    let lowest = await other.pttl(key);
    for (const deadline = Date.now() + 15_000; ; ) {
      const left = await other.pttl(key);
      if (left > lowest) break;
      lowest = Math.min(lowest, left);
      if (Date.now() > deadline) throw new Error(`the lock was never extended (pttl ${left} ms)`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    release();
  }
  await expect(first).resolves.toBe("kept");
  expect(await other.exists(key)).toBe(0); // released
});

describe("Redis down under the holder", () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(() => server.stop());

  it("aborts the holder once the lock would have lapsed without an extension", async () => {
    const own = new Redis(server.url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, retryStrategy: () => 200 });
    own.on("error", () => undefined);
    try {
      const { work } = stepper(() => server.stop("SIGKILL"));
      await expect(withLock(own, key, "busy", work, { ttlMs: 900, pollMs: 20 })).rejects.toBeInstanceOf(LockLostError);
    } finally {
      own.disconnect();
    }
  });
});
