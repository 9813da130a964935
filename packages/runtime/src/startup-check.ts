// Before an app builds anything on PostgreSQL or Redis: is each one reachable, under the variable
// that names it? Bounded retries within STARTUP_DEADLINE_MS, then one line and exit 1 (runApp).
import { setTimeout as sleep } from "node:timers/promises";
import { describeRedisTarget, type RedisTarget } from "@callastar/queues/redis-target";

/** A service an app needs at start, and how to ask it once whether it answers. */
export interface StartupDependency {
  /** The variable that configures it (`DATABASE_URL`, `REDIS_URL`, …), named in the failure. */
  variable: string;
  /** What it is and where, without credentials: `PostgreSQL at db:5432/callastar`. */
  describe: string;
  /** Loads the client before the deadline starts (module loading is not the service's time). */
  prepare?(): Promise<unknown>;
  /** One attempt: resolves when it answers (with a warning line to log, if any); aborted by `signal` at the attempt's time limit. */
  probe(signal: AbortSignal): Promise<void | string>;
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

/** A refusal no retry changes (a setting of the server), reported as the start failure. */
class PermanentStartupProblem extends Error {
  override readonly name = "PermanentStartupProblem";
}

/**
 * Redis at `target` (a URL or the Sentinel/Cluster form), configured by `variable`. Beyond a PING it
 * checks `maxmemory-policy` on every primary: anything but `noeviction` lets Redis evict job keys
 * (silent job loss), so it is refused; a server that forbids CONFIG GET (managed services) is let
 * through with a warning, since the operator is the only one who can check it there.
 */
export function redisDependency(variable: string, target: RedisTarget | string): StartupDependency {
  const resolved: RedisTarget = typeof target === "string" ? { kind: "url", url: target } : target;
  return {
    variable,
    describe: describeRedisTarget(resolved),
    prepare: () => import("@callastar/queues/connection"),
    async probe(signal) {
      // One connection, no reconnects: each attempt of the loop is a fresh one. ioredis reports a
      // refused SELECT or AUTH as an "error" event and still calls itself ready, so any error fails the attempt.
      const { createProducerConnection } = await import("@callastar/queues/connection");
      const redis = createProducerConnection(resolved, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 5_000, log: SILENT });
      try {
        return await new Promise<string | undefined>((resolve, reject) => {
          redis.on("error", reject);
          void aborted(signal).catch(reject);
          redis
            .connect()
            .then(() => redis.ping())
            .then(() => evictionPolicies(redis))
            .then(evictionVerdict)
            .then(resolve, reject);
        });
      } finally {
        redis.disconnect();
      }
    },
    // The server answered with an error (a bad password, `SELECT 99` out of range) or a setting: not an outage.
    permanent: (error) => (error as { name?: unknown }).name === "ReplyError" || error instanceof PermanentStartupProblem,
  };
}

// The probe's own listener reports its errors as the attempt's failure.
const SILENT = { error: () => undefined, warn: () => undefined, info: () => undefined, child: () => SILENT };

type Probed = { isCluster: boolean; config(op: "GET", name: string): Promise<unknown>; nodes?(role: "master"): Probed[] };

/** Each primary's maxmemory-policy, or the reason it could not be read. */
async function evictionPolicies(redis: unknown): Promise<Array<string | { unreadable: string }>> {
  const client = redis as Probed;
  const primaries = client.isCluster && client.nodes ? client.nodes("master") : [client];
  return Promise.all(
    primaries.map(async (node) => {
      try {
        const reply = (await node.config("GET", "maxmemory-policy")) as string[];
        return reply[1] ?? "";
      } catch (error) {
        return { unreadable: messageOf(error) };
      }
    }),
  );
}

function evictionVerdict(policies: Array<string | { unreadable: string }>): string | undefined {
  const wrong = policies.filter((p): p is string => typeof p === "string" && p !== "noeviction");
  if (wrong.length) {
    throw new PermanentStartupProblem(`maxmemory-policy is ${[...new Set(wrong)].join(", ")}: BullMQ requires noeviction (an evicted key is a lost job); set it on the server`);
  }
  const unreadable = policies.find((p): p is { unreadable: string } => typeof p !== "string");
  return unreadable ? `cannot read maxmemory-policy (${unreadable.unreadable}): make sure it is noeviction, BullMQ loses jobs otherwise` : undefined;
}

/**
 * Resolves once every dependency answers; retries each with a growing pause until `deadlineMs`, then
 * throws a StartupError naming the variable, the address tried and the last error.
 */
export async function checkStartupDependencies(dependencies: readonly StartupDependency[], deadlineMs: number): Promise<string[]> {
  await Promise.all(dependencies.map((d) => d.prepare?.() ?? Promise.resolve()));
  const deadline = Date.now() + deadlineMs;
  const warnings = await Promise.all(dependencies.map((d) => untilReachable(d, deadline, deadlineMs)));
  return warnings.filter((w): w is string => w !== undefined);
}

async function untilReachable(dependency: StartupDependency, deadline: number, deadlineMs: number): Promise<string | undefined> {
  let pause = 200;
  for (let attempt = 1; ; attempt++) {
    const left = deadline - Date.now();
    try {
      const warning = await dependency.probe(AbortSignal.timeout(Math.max(1, Math.min(left, 5_000))));
      return warning ? `${dependency.variable}: ${warning}` : undefined;
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
