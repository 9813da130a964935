// What a chaos run stands on: its own PostgreSQL server (initdb'd on a free port, so the run can
// stop it fast or immediately and start it again; the apps reach it through a TCP proxy the harness
// can also cut), its own redis-server with AOF fsync'd on every write (so a SIGKILL loses nothing
// and it restarts on the same port with its data), and the three provider stand-ins in this
// process, where their records can be read directly.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDb, type DbHandle } from "@callastar/db";
import { startDailyStandin, startResendStandin, startStripeStandin, type DailyStandin, type ResendStandin, type StripeStandin } from "@callastar/standins";
import type { RedisTarget } from "@callastar/queues";
import {
  prepareDatabase,
  startPostgresServer,
  startRedisCluster,
  startRedisServer,
  startSentinelSet,
  startTcpProxy,
  type PostgresServer,
  type RedisServer,
  type TcpProxy,
} from "@callastar/testing";

const REDIS_ARGS = ["--appendonly", "yes", "--appendfsync", "always", "--save", "", "--maxmemory-policy", "noeviction"];

/** The providers' rates during the run, shared by the stand-ins and the workers' limiters. */
export const PROVIDER_RATES = { resendPerSecond: 10, dailyDeletesPerSecond: 5 };

export interface Infra {
  workDir: string;
  logDir: string;
  spoolDir: string;
  databaseName: string;
  /** Direct URL, for the harness (seeding, verification): never cut. */
  databaseUrl: string;
  /** Through the proxy, for the apps. */
  appDatabaseUrl: string;
  db: DbHandle;
  /** The run's own PostgreSQL server: stop("fast" | "immediate") and start() are real server restarts. */
  postgres: PostgresServer;
  proxy: TcpProxy;
  /** The server restarted by restartRedis (the single server, the Sentinel primary, a Cluster master). */
  redis: RedisServer;
  /** Where the apps and the harness' producer find Redis. */
  redisTarget: RedisTarget;
  /** The apps' Redis variables for that target. */
  redisEnv: Record<string, string>;
  /** What restartRedis did, for the run's notes. */
  redisFault: string;
  resend: ResendStandin;
  daily: DailyStandin;
  stripe: StripeStandin;
  /** SIGKILLs redis-server (or SHUTDOWN NOSAVE) and starts it again on the same port and AOF. */
  restartRedis(): Promise<void>;
  close(options: { dropDatabase: boolean; removeFiles: boolean }): Promise<void>;
}

/** The run's PostgreSQL: a private server, its migrated database, and a proxy in front of it for the apps. */
async function startPostgres(): Promise<{ postgres: PostgresServer; databaseName: string; databaseUrl: string; appDatabaseUrl: string; proxy: TcpProxy }> {
  const postgres = await startPostgresServer();
  try {
    const databaseName = `callastar_chaos_${Date.now().toString(36)}`;
    const databaseUrl = await prepareDatabase(postgres.url("postgres"), databaseName, { fresh: true });
    const proxy = await startTcpProxy(postgres.port, "127.0.0.1");
    const proxied = new URL(databaseUrl);
    proxied.port = String(proxy.port);
    return { postgres, databaseName, databaseUrl, appDatabaseUrl: proxied.toString(), proxy };
  } catch (error) {
    await postgres.destroy();
    throw error;
  }
}

/** Starts everything a run needs but the app processes. */
export async function startInfra(options: { seed: number; topology: "single" | "sentinel" | "cluster" }): Promise<Infra> {
  const workDir = mkdtempSync(join(tmpdir(), "callastar-chaos-"));
  const logDir = join(workDir, "logs");
  const spoolDir = join(workDir, "spool");
  mkdirSync(logDir);
  mkdirSync(spoolDir);
  mkdirSync(join(workDir, "redis"));
  const { postgres, databaseName, databaseUrl, appDatabaseUrl, proxy } = await startPostgres();
  const topo = await startRedis(options.topology, join(workDir, "redis"));
  let redis = topo.victim;
  const [resend, daily, stripe] = await Promise.all([
    startResendStandin({ rateLimitPerSecond: PROVIDER_RATES.resendPerSecond, seed: options.seed }),
    startDailyStandin({ deleteRatePerSecond: PROVIDER_RATES.dailyDeletesPerSecond, faults: { seed: options.seed } }),
    startStripeStandin({ faults: { seed: options.seed } }),
  ]);
  const db = createDb(databaseUrl, { max: 4, applicationName: "callastar-chaos" });
  const infra: Infra = {
    workDir,
    logDir,
    spoolDir,
    databaseName,
    databaseUrl,
    appDatabaseUrl,
    db,
    postgres,
    proxy,
    get redis() {
      return redis;
    },
    redisTarget: topo.target,
    redisEnv: topo.env,
    redisFault: topo.fault,
    resend,
    daily,
    stripe,
    async restartRedis() {
      const { port, dir } = redis;
      await redis.stop("SIGKILL");
      // On Sentinel a replica is promoted meanwhile; the old primary returns once the failover is
      // complete (earlier, a replica still pointed at it would resync from it) and becomes a replica.
      if (options.topology === "sentinel") await topo.promoted?.();
      redis = await startRedisServer(topo.restartArgs, { port, dir });
    },
    async close({ dropDatabase: drop, removeFiles }) {
      await db.close();
      await Promise.all([resend.close(), daily.close(), stripe.close(), proxy.close(), redis.stop("SIGTERM"), topo.stop()]);
      // The server is the run's own: kept (stopped, its data in place) only when asked to keep the database.
      if (drop) await postgres.destroy();
      else await postgres.stop("fast");
      if (removeFiles) rmSync(workDir, { recursive: true, force: true });
    },
  };
  return infra;
}

/** The run's Redis in the chosen topology, every server with AOF fsync'd on every write. */
async function startRedis(topology: "single" | "sentinel" | "cluster", dir: string): Promise<{
  victim: RedisServer;
  target: RedisTarget;
  env: Record<string, string>;
  fault: string;
  restartArgs: string[];
  promoted?: () => Promise<void>;
  stop(): Promise<void>;
}> {
  if (topology === "sentinel") {
    // Two replicas: the producer's acknowledgements wait for one (WAIT 1), and one stays after the kill.
    const set = await startSentinelSet({ replicas: 2, args: REDIS_ARGS });
    const [primary] = set.servers;
    const sentinels = set.sentinels.map((s) => `${s.host}:${s.port}`).join(",");
    return {
      victim: primary!,
      target: { kind: "sentinel", sentinels: set.sentinels, name: set.name, tls: false },
      env: { REDIS_SENTINELS: sentinels, REDIS_SENTINEL_NAME: set.name },
      fault: "Sentinel primary SIGKILLed, a replica promoted, the old primary restarted as a replica",
      restartArgs: REDIS_ARGS,
      promoted: async () => void (await set.failedOver(primary!.port)),
      stop: () => set.stop(),
    };
  }
  if (topology === "cluster") {
    const clusterArgs = ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000"];
    const cluster = await startRedisCluster(3, REDIS_ARGS);
    return {
      victim: cluster.servers[0]!,
      target: { kind: "cluster", nodes: cluster.nodes, tls: false },
      env: { REDIS_CLUSTER_NODES: cluster.nodes.map((n) => `${n.host}:${n.port}`).join(",") },
      fault: "one Cluster master SIGKILLed and restarted with its AOF",
      restartArgs: [...REDIS_ARGS, ...clusterArgs],
      stop: async () => void (await Promise.all(cluster.servers.slice(1).map((s) => s.stop("SIGTERM")))),
    };
  }
  const server = await startRedisServer(REDIS_ARGS, { dir });
  return {
    victim: server,
    target: { kind: "url", url: server.url },
    env: { REDIS_URL: server.url },
    fault: "Redis SIGKILLed and restarted with its AOF",
    restartArgs: REDIS_ARGS,
    stop: async () => undefined,
  };
}
