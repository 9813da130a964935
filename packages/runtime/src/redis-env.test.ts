import { z } from "zod";
import { EnvError, loadEnv } from "./load-env";
import { redisEnvShape, redisTargetOf } from "./redis-env";

const schema = z.object({ ...redisEnvShape });
const parse = (env: Record<string, string>) => redisTargetOf(loadEnv(schema, env));
const problems = (env: Record<string, string>): string => {
  try {
    loadEnv(schema, env);
  } catch (error) {
    if (error instanceof EnvError) return error.message;
  }
  throw new Error("accepted");
};

describe("the Redis form of the environment", () => {
  it("takes a URL with its own credentials, TLS and database", () => {
    expect(parse({ REDIS_URL: "rediss://app:pw@cache:6380/2" })).toEqual({ kind: "url", url: "rediss://app:pw@cache:6380/2" });
  });

  it("takes sentinels with the primary's name, credentials and TLS", () => {
    expect(
      parse({ REDIS_SENTINELS: "s1:26379, s2:26379", REDIS_SENTINEL_NAME: "main", REDIS_SENTINEL_PASSWORD: "sp", REDIS_USERNAME: "app", REDIS_PASSWORD: "pw", REDIS_TLS: "true" }),
    ).toEqual({
      kind: "sentinel",
      sentinels: [{ host: "s1", port: 26379 }, { host: "s2", port: 26379 }],
      name: "main",
      sentinelPassword: "sp",
      username: "app",
      password: "pw",
      tls: true,
    });
  });

  it("takes cluster nodes", () => {
    expect(parse({ REDIS_CLUSTER_NODES: "10.0.0.1:7000,10.0.0.2:7000" })).toEqual({
      kind: "cluster",
      nodes: [{ host: "10.0.0.1", port: 7000 }, { host: "10.0.0.2", port: 7000 }],
      username: undefined,
      password: undefined,
      tls: false,
    });
  });

  it("refuses two forms, naming both", () => {
    expect(problems({ REDIS_URL: "redis://a:6379", REDIS_CLUSTER_NODES: "b:7000" })).toBe("Invalid configuration: REDIS_URL, REDIS_CLUSTER_NODES: set only one of them (one Redis form)");
    expect(problems({ REDIS_SENTINELS: "s:26379", REDIS_SENTINEL_NAME: "m", REDIS_CLUSTER_NODES: "b:7000" })).toMatch(/REDIS_SENTINELS, REDIS_CLUSTER_NODES: set only one/);
  });

  it("refuses no form, a sentinel set without its name, and malformed lists", () => {
    expect(problems({})).toMatch(/REDIS_URL: is required \(or REDIS_SENTINELS with REDIS_SENTINEL_NAME, or REDIS_CLUSTER_NODES\)/);
    expect(problems({ REDIS_SENTINELS: "s:26379" })).toMatch(/REDIS_SENTINEL_NAME: is required with REDIS_SENTINELS/);
    expect(problems({ REDIS_CLUSTER_NODES: "b:7000,c" })).toMatch(/REDIS_CLUSTER_NODES: must be a comma-separated list of host:port/);
    expect(problems({ REDIS_SENTINELS: "s:99999", REDIS_SENTINEL_NAME: "m" })).toMatch(/REDIS_SENTINELS: must be a comma-separated list/);
  });

  it("refuses credentials beside a URL and sentinel settings without sentinels", () => {
    expect(problems({ REDIS_URL: "redis://a:6379", REDIS_PASSWORD: "pw" })).toMatch(/REDIS_PASSWORD: not with REDIS_URL \(put it in the URL/);
    expect(problems({ REDIS_CLUSTER_NODES: "b:7000", REDIS_SENTINEL_NAME: "m" })).toMatch(/REDIS_SENTINEL_NAME: only applies with REDIS_SENTINELS/);
    expect(problems({ REDIS_CLUSTER_NODES: "b:7000", QUEUE_PREFIX: "{callastar}" })).toMatch(/QUEUE_PREFIX: must not contain \{ \} with REDIS_CLUSTER_NODES/);
  });
});
