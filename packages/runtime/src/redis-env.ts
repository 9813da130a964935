// Where Redis is, from the environment: REDIS_URL (one server), REDIS_SENTINELS + REDIS_SENTINEL_NAME,
// or REDIS_CLUSTER_NODES; exactly one form. The URL form carries its own credentials, TLS (rediss://)
// and database; the two others take REDIS_USERNAME, REDIS_PASSWORD and REDIS_TLS (database 0).
import { z } from "zod";
import { parseRedisNode, type RedisNode, type RedisTarget } from "@callastar/queues/redis-target";

const nodeList = (what: string) =>
  z.string().refine((value) => value.split(",").every((part) => parseRedisNode(part) !== undefined), `must be a comma-separated list of host:port (${what})`);

/** The Redis variables every app shares (see redisTargetOf). */
export const redisEnvShape = {
  REDIS_URL: z
    .url({ protocol: /^rediss?$/, error: "must be a redis:// or rediss:// URL" })
    .optional()
    .describe("`redis://[user:password@]host:6379[/db]` or `rediss://…` (TLS): one Redis server; or use the Sentinel or Cluster form instead ([docs/redis.md](docs/redis.md)). Run Redis with AOF and `noeviction`"),
  REDIS_SENTINELS: nodeList("the sentinels")
    .optional()
    .describe("`host:26379,host:26379,…`: the sentinels, instead of `REDIS_URL`; with `REDIS_SENTINEL_NAME`. Workers and producers follow a failover by themselves"),
  REDIS_SENTINEL_NAME: z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/, "must be the monitored primary's name such as mymaster")
    .optional()
    .describe("name of the primary the sentinels monitor (`sentinel monitor <name> …`); required with `REDIS_SENTINELS`"),
  REDIS_SENTINEL_PASSWORD: z.string().optional().describe("the sentinels' own password (their `requirepass`), when they have one"),
  REDIS_CLUSTER_NODES: nodeList("some of the cluster's nodes")
    .optional()
    .describe("`host:6379,host:6379,…`: some nodes of a Redis Cluster, instead of `REDIS_URL`; each queue gets its own hash slot"),
  REDIS_USERNAME: z.string().optional().describe("ACL user of the Redis data nodes, with `REDIS_SENTINELS` or `REDIS_CLUSTER_NODES` (the URL form carries its own)"),
  REDIS_PASSWORD: z.string().optional().describe("password of the Redis data nodes, with `REDIS_SENTINELS` or `REDIS_CLUSTER_NODES` (the URL form carries its own)"),
  REDIS_TLS: z
    .enum(["true", "false"], { error: "must be true or false" })
    .default("false")
    .describe("`true`: TLS to the data nodes (and the sentinels), with `REDIS_SENTINELS` or `REDIS_CLUSTER_NODES` (the URL form says `rediss://`)"),
};

/** The env fields redisTargetOf reads. */
export interface RedisEnv {
  REDIS_URL?: string | undefined;
  REDIS_SENTINELS?: string | undefined;
  REDIS_SENTINEL_NAME?: string | undefined;
  REDIS_SENTINEL_PASSWORD?: string | undefined;
  REDIS_CLUSTER_NODES?: string | undefined;
  REDIS_USERNAME?: string | undefined;
  REDIS_PASSWORD?: string | undefined;
  REDIS_TLS?: "true" | "false" | undefined;
}

const FORMS = ["REDIS_URL", "REDIS_SENTINELS", "REDIS_CLUSTER_NODES"] as const;

/** The cross-variable problems of the Redis form (one line each); empty when exactly one form is set and complete. */
export function redisFormProblems(env: Record<string, unknown>): string[] {
  const set = FORMS.filter((name) => typeof env[name] === "string" && env[name] !== "");
  if (set.length === 0) return ["REDIS_URL: is required (or REDIS_SENTINELS with REDIS_SENTINEL_NAME, or REDIS_CLUSTER_NODES)"];
  if (set.length > 1) return [`${set.join(", ")}: set only one of them (one Redis form)`];
  const problems: string[] = [];
  const has = (name: string) => typeof env[name] === "string" && env[name] !== "";
  if (set[0] === "REDIS_SENTINELS" && !has("REDIS_SENTINEL_NAME")) problems.push("REDIS_SENTINEL_NAME: is required with REDIS_SENTINELS");
  if (set[0] !== "REDIS_SENTINELS") {
    for (const name of ["REDIS_SENTINEL_NAME", "REDIS_SENTINEL_PASSWORD"]) if (has(name)) problems.push(`${name}: only applies with REDIS_SENTINELS`);
  }
  if (set[0] === "REDIS_CLUSTER_NODES" && /[{}]/.test(String(env.QUEUE_PREFIX ?? ""))) {
    // A tag in the prefix would put every queue in its slot; each queue gets its own after the prefix.
    problems.push("QUEUE_PREFIX: must not contain { } with REDIS_CLUSTER_NODES (each queue gets its own hash tag)");
  }
  if (set[0] === "REDIS_URL") {
    // Two places for one credential would leave the reader guessing which one wins.
    for (const name of ["REDIS_USERNAME", "REDIS_PASSWORD", "REDIS_TLS"]) {
      if (has(name) && !(name === "REDIS_TLS" && env[name] === "false")) problems.push(`${name}: not with REDIS_URL (put it in the URL: redis://user:password@host, rediss:// for TLS)`);
    }
  }
  return problems;
}

const nodes = (list: string): RedisNode[] => list.split(",").map((part) => parseRedisNode(part)!);

/** The Redis target of a parsed env (validated by loadEnv: exactly one form). */
export function redisTargetOf(env: RedisEnv): RedisTarget {
  const auth = { username: env.REDIS_USERNAME, password: env.REDIS_PASSWORD, tls: env.REDIS_TLS === "true" };
  if (env.REDIS_SENTINELS) {
    return { kind: "sentinel", sentinels: nodes(env.REDIS_SENTINELS), name: env.REDIS_SENTINEL_NAME ?? "", sentinelPassword: env.REDIS_SENTINEL_PASSWORD, ...auth };
  }
  if (env.REDIS_CLUSTER_NODES) return { kind: "cluster", nodes: nodes(env.REDIS_CLUSTER_NODES), ...auth };
  return { kind: "url", url: env.REDIS_URL ?? "" };
}
