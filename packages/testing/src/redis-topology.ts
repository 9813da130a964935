// Real multi-server Redis topologies for tests: a Sentinel set (primary, replica, three sentinels)
// and a three-master Cluster, each on spare ports with its own directories, torn down by stop().
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { freePort, startRedisServer, type RedisServer } from "./redis";
import { waitFor } from "./wait-for";

const BASE = ["--save", "", "--appendonly", "no"];

async function ask<T>(port: number, run: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis({ port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on("error", () => undefined);
  try {
    await redis.connect();
    return await run(redis);
  } finally {
    redis.disconnect();
  }
}

export interface SentinelSet {
  /** The monitored primary's name. */
  name: string;
  sentinels: Array<{ host: string; port: number }>;
  /** The servers as started: [initial primary, its replicas…]. */
  servers: RedisServer[];
  /** The port of the primary the sentinels report now. */
  primaryPort(): Promise<number>;
  /**
   * Waits until a failover away from `oldPort` is complete: every sentinel names the same new primary
   * and every other replica follows it. Restarting the old primary earlier lets a replica still
   * pointed at it resync from it, so it acknowledges writes that the reconfiguration then discards.
   */
  failedOver(oldPort: number, timeoutMs?: number): Promise<number>;
  stop(): Promise<void>;
}

/**
 * A primary, its replica(s) and three sentinels (quorum 2, primary down after `downAfterMs`), ready
 * once every sentinel knows the replica and the other sentinels, so a failover can start at once.
 */
export async function startSentinelSet({ name = "callastar", downAfterMs = 1_000, replicas: replicaCount = 1, args = BASE } = {}): Promise<SentinelSet> {
  const primary = await startRedisServer(args);
  const replicas: RedisServer[] = [];
  for (let i = 0; i < replicaCount; i++) replicas.push(await startRedisServer([...args, "--replicaof", "127.0.0.1", String(primary.port)]));
  const children: ChildProcess[] = [];
  const sentinels: Array<{ host: string; port: number }> = [];
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), "callastar-sentinel-"));
    const conf = join(dir, "sentinel.conf");
    writeFileSync(
      conf,
      [
        `port ${port}`,
        "bind 127.0.0.1",
        `dir ${dir}`,
        `sentinel monitor ${name} 127.0.0.1 ${primary.port} 2`,
        `sentinel down-after-milliseconds ${name} ${downAfterMs}`,
        `sentinel failover-timeout ${name} 10000`,
        `sentinel parallel-syncs ${name} 1`,
        "",
      ].join("\n"),
    );
    children.push(spawn("redis-server", [conf, "--sentinel"], { stdio: "ignore" }));
    sentinels.push({ host: "127.0.0.1", port });
  }
  const stop = async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await Promise.all([primary, ...replicas].map((s) => s.stop("SIGKILL")));
  };
  try {
    for (const replica of replicas) {
      await waitFor("replica in sync", () => ask(replica.port, async (r) => (await r.info("replication")).includes("master_link_status:up")), { timeoutMs: 15_000 });
    }
    for (const s of sentinels) {
      await waitFor(`sentinel ${s.port} knows the replica and its peers`, () =>
        ask(s.port, async (r) => {
          const known = (await r.call("SENTINEL", "REPLICAS", name)) as unknown[];
          const peers = (await r.call("SENTINEL", "SENTINELS", name)) as unknown[];
          return known.length >= replicaCount && peers.length >= 2;
        }),
      { timeoutMs: 20_000, intervalMs: 100 });
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    name,
    sentinels,
    servers: [primary, ...replicas],
    primaryPort: () => ask(sentinels[0]!.port, async (r) => Number(((await r.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", name)) as string[])[1])),
    failedOver: (oldPort, timeoutMs = 30_000) =>
      waitFor(`failover away from :${oldPort} complete`, async () => {
        const named = await Promise.all(sentinels.map((s) => ask(s.port, async (r) => Number(((await r.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", name)) as string[])[1]))));
        const primaryPort = named[0]!;
        if (primaryPort === oldPort || named.some((p) => p !== primaryPort)) return undefined;
        const others = [primary, ...replicas].filter((s) => s.port !== oldPort && s.port !== primaryPort);
        const following = await Promise.all(others.map((s) => ask(s.port, async (r) => {
          const info = await r.info("replication");
          return info.includes(`master_port:${primaryPort}`) && info.includes("master_link_status:up");
        })));
        return following.every(Boolean) ? primaryPort : undefined;
      }, { timeoutMs, intervalMs: 100 }),
    stop,
  };
}

export interface RedisClusterSet {
  nodes: Array<{ host: string; port: number }>;
  servers: RedisServer[];
  stop(): Promise<void>;
}

/** A Redis Cluster of `masters` masters and no replicas (`redis-cli --cluster create`), ready when every node says ok. */
export async function startRedisCluster(masters = 3, args = BASE): Promise<RedisClusterSet> {
  const servers: RedisServer[] = [];
  const stop = async () => void (await Promise.all(servers.map((s) => s.stop("SIGKILL"))));
  try {
    for (let i = 0; i < masters; i++) {
      servers.push(await startRedisServer([...args, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000"]));
    }
    await promisify(execFile)("redis-cli", ["--cluster", "create", ...servers.map((s) => `127.0.0.1:${s.port}`), "--cluster-yes"]);
    for (const s of servers) {
      await waitFor(`cluster node ${s.port} ok`, () => ask(s.port, async (r) => (await r.call("CLUSTER", "INFO")) as string).then((info) => info.includes("cluster_state:ok")), { timeoutMs: 20_000, intervalMs: 100 });
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { nodes: servers.map((s) => ({ host: "127.0.0.1", port: s.port })), servers, stop };
}
