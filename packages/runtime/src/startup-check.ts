// Before an app builds anything on PostgreSQL or Redis: is each one reachable, under the variable
// that names it? Bounded retries within STARTUP_DEADLINE_MS, then one line and exit 1 (runApp).
import { setTimeout as sleep } from "node:timers/promises";

/** A service an app needs at start, and how to ask it once whether it answers. */
export interface StartupDependency {
  /** The variable that configures it (`DATABASE_URL`, `REDIS_URL`, …), named in the failure. */
  variable: string;
  /** What it is and where, without credentials: `PostgreSQL at db:5432/callastar`. */
  describe: string;
  /** Loads the client before the deadline starts (module loading is not the service's time). */
  prepare?(): Promise<unknown>;
  /** One attempt: resolves when it answers; aborted by `signal` at the attempt's time limit. */
  probe(signal: AbortSignal): Promise<void>;
  /** An answer no retry can change (a refused password, a database index out of range). */
  permanent?(error: unknown): boolean;
}

/** An app could not reach a service at start; its message is the one line to print. */
export class StartupError extends Error {
  override readonly name = "StartupError";
}

/** Where a URL points, without its credentials: `host:port/path`. */
function where(url: string, defaultPort: number): string {
  try {
    const u = new URL(url);
    const path = u.pathname.length > 1 ? u.pathname : "";
    return `${u.hostname}:${u.port || defaultPort}${path}`;
  } catch {
    return "(unparseable URL)";
  }
}

/** Rejects when `signal` aborts (an attempt's time limit). */
function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    const fail = () => reject(new Error("no answer in time", { cause: signal.reason }));
    if (signal.aborted) fail();
    else signal.addEventListener("abort", fail, { once: true });
  });
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";

/** PostgreSQL at `url`, configured by `variable`. */
export function postgresDependency(variable: string, url: string): StartupDependency {
  return {
    variable,
    describe: `PostgreSQL at ${where(url, 5432)}`,
    // Loaded here, not at the top: an app with a bad value exits before loading any client.
    prepare: () => import("@callastar/db"),
    async probe(signal) {
      const { createDb } = await import("@callastar/db");
      const handle = createDb(url, { max: 1, connectTimeout: 5, applicationName: "callastar-startup-check" });
      try {
        await Promise.race([handle.sql`SELECT 1`, aborted(signal)]);
      } finally {
        void handle.close(0).catch(() => undefined);
      }
    },
    // Wrong password (28P01, 28000), unknown database (3D000): the server answered; waiting changes nothing.
    permanent: (error) => ["28P01", "28000", "3D000"].includes(String((error as { code?: unknown }).code)),
  };
}

/** Redis at `url`, configured by `variable` (a Sentinel or Cluster form adds its own dependency beside this one). */
export function redisDependency(variable: string, url: string): StartupDependency {
  return {
    variable,
    describe: `Redis at ${where(url, 6379)}`,
    prepare: () => import("ioredis"),
    async probe(signal) {
      // One connection, no reconnects: each attempt of the loop is a fresh one. ioredis reports a
      // refused SELECT or AUTH as an "error" event and still calls itself ready, so any error fails the attempt.
      const { Redis } = await import("ioredis");
      const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 5_000 });
      try {
        await new Promise<void>((resolve, reject) => {
          redis.on("error", reject);
          void aborted(signal).catch(reject);
          redis.connect().then(() => redis.ping()).then(() => resolve(), reject);
        });
      } finally {
        redis.disconnect();
      }
    },
    // The server answered with an error (a bad password, `SELECT 99` out of range): not an outage.
    permanent: (error) => (error as { name?: unknown }).name === "ReplyError",
  };
}

/**
 * Resolves once every dependency answers; retries each with a growing pause until `deadlineMs`, then
 * throws a StartupError naming the variable, the address tried and the last error.
 */
export async function checkStartupDependencies(dependencies: readonly StartupDependency[], deadlineMs: number): Promise<void> {
  await Promise.all(dependencies.map((d) => d.prepare?.() ?? Promise.resolve()));
  const deadline = Date.now() + deadlineMs;
  await Promise.all(dependencies.map((d) => untilReachable(d, deadline, deadlineMs)));
}

async function untilReachable(dependency: StartupDependency, deadline: number, deadlineMs: number): Promise<void> {
  let pause = 200;
  for (let attempt = 1; ; attempt++) {
    const left = deadline - Date.now();
    try {
      await dependency.probe(AbortSignal.timeout(Math.max(1, Math.min(left, 5_000))));
      return;
    } catch (error) {
      const permanent = dependency.permanent?.(error) ?? false;
      if (permanent || Date.now() + pause >= deadline) {
        const why = permanent ? "refused" : `unreachable for ${Math.round(deadlineMs / 1000)} s (STARTUP_DEADLINE_MS), ${attempt} attempt${attempt > 1 ? "s" : ""}`;
        throw new StartupError(`${dependency.variable}: cannot reach ${dependency.describe}: ${why}: ${messageOf(error)}`);
      }
    }
    await sleep(pause);
    pause = Math.min(pause * 2, 2_000);
  }
}
