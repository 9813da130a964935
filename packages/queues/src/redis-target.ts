/** Where Redis is: one server (a URL), a Sentinel-managed primary, or a Cluster. */
export type RedisTarget = RedisUrlTarget | RedisSentinelTarget | RedisClusterTarget;

/** A `host:port` of a sentinel or a cluster node. */
export interface RedisNode {
  host: string;
  port: number;
}

/** Credentials and TLS of the data nodes (the sentinel and cluster forms; a URL carries its own). */
export interface RedisAuth {
  username?: string | undefined;
  password?: string | undefined;
  tls: boolean;
}

export interface RedisUrlTarget {
  kind: "url";
  /** `redis://[user:password@]host:port[/db]` or `rediss://…`. */
  url: string;
}

export interface RedisSentinelTarget extends RedisAuth {
  kind: "sentinel";
  sentinels: RedisNode[];
  /** The monitored primary's name (`sentinel monitor <name> …`). */
  name: string;
  /** The sentinels' own `requirepass`, when they have one. */
  sentinelPassword?: string | undefined;
}

export interface RedisClusterTarget extends RedisAuth {
  kind: "cluster";
  /** Some of the cluster's nodes; the client discovers the rest. */
  nodes: RedisNode[];
}

/** `host:port` → RedisNode; undefined when malformed. */
export function parseRedisNode(text: string): RedisNode | undefined {
  const match = /^\[?([A-Za-z0-9.\-:]+?)\]?:(\d{1,5})$/.exec(text.trim());
  if (!match) return undefined;
  const port = Number(match[2]);
  return port >= 1 && port <= 65535 ? { host: match[1]!, port } : undefined;
}

/** Where `target` points, without credentials (for logs and start-up failures). */
export function describeRedisTarget(target: RedisTarget): string {
  const nodes = (list: RedisNode[]) => list.map((n) => `${n.host}:${n.port}`).join(",");
  switch (target.kind) {
    case "url": {
      try {
        const u = new URL(target.url);
        return `Redis at ${u.hostname}:${u.port || 6379}${u.pathname.length > 1 ? u.pathname : ""}`;
      } catch {
        return "Redis at (unparseable URL)";
      }
    }
    case "sentinel":
      return `Redis primary "${target.name}" via sentinels ${nodes(target.sentinels)}`;
    case "cluster":
      return `Redis Cluster at ${nodes(target.nodes)}`;
  }
}

/** The variable that names `target`'s form, for messages (`REDIS_URL`, `REDIS_SENTINELS`, `REDIS_CLUSTER_NODES`). */
export function redisTargetVariable(target: RedisTarget): string {
  return { url: "REDIS_URL", sentinel: "REDIS_SENTINELS", cluster: "REDIS_CLUSTER_NODES" }[target.kind];
}
