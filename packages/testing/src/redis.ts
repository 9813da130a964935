import { randomBytes } from "node:crypto";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { testEnv } from "./env";

/** A queue prefix no other test uses; pass it to every Queue/Worker/producer of the test. */
export function uniquePrefix(label = "t"): string {
  return `test:${label}:${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;
}

/** Deletes every key under `prefix` (the test's queues). */
export async function obliteratePrefix(prefix: string, url = testEnv.redisUrl): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  await redis.connect();
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
      cursor = next;
      if (keys.length) await redis.unlink(...keys);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface RedisServer {
  url: string;
  port: number;
  /** Its working directory (AOF and RDB files); pass it back to restart on the same data. */
  dir: string;
  process: ChildProcess;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts a private `redis-server` (e.g. with AOF, or to be killed) on a free port; with `port` and
 * `dir` of a stopped one, restarts it on the same address and data (its AOF). With `password`, it requires it (and its url carries it).
 */
export async function startRedisServer(
  args: string[] = ["--save", "", "--appendonly", "no"],
  at: { port?: number; dir?: string; password?: string } = {},
): Promise<RedisServer> {
  const port = at.port ?? (await freePort());
  const dir = at.dir ?? mkdtempSync(join(tmpdir(), "callastar-redis-"));
  const auth = at.password ? ["--requirepass", at.password] : [];
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, ...auth, ...args], {
    stdio: "ignore",
  });
  const url = at.password ? `redis://default:${encodeURIComponent(at.password)}@127.0.0.1:${port}` : `redis://127.0.0.1:${port}`;
  let answered = false;
  // Up to ~10 s: a restart on a large AOF answers LOADING for a while.
  for (let i = 0; i < 330 && !answered; i++) {
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on("error", () => {}); // refused until it listens: expected, not worth a stack trace
    try {
      await probe.connect();
      await probe.ping();
      answered = true;
    } catch {
      await new Promise((r) => setTimeout(r, 30));
    } finally {
      probe.disconnect();
    }
  }
  if (!answered) {
    child.kill("SIGKILL");
    throw new Error(`redis-server on port ${port} (dir ${dir}) never answered PING`);
  }
  return {
    url,
    port,
    dir,
    process: child,
    stop(signal = "SIGTERM") {
      return new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill(signal);
      });
    },
  };
}
