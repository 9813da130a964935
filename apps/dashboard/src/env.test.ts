import { EnvError, readDashboardEnv } from "./env";

const base = { DATABASE_URL: "postgres://postgres@127.0.0.1:5432/x", REDIS_URL: "redis://127.0.0.1:6379" };
const full = {
  ...base,
  NODE_ENV: "production",
  CRON_SECRET: "c".repeat(24),
  DASHBOARD_ADMIN_USER: "admin",
  DASHBOARD_ADMIN_PASSWORD: "a-long-password",
  DASHBOARD_SESSION_SECRET: "s".repeat(40),
};

function problems(source: Record<string, string | undefined>): string[] {
  try {
    readDashboardEnv(source);
  } catch (error) {
    expect(error).toBeInstanceOf(EnvError);
    return (error as EnvError).problems;
  }
  throw new Error("expected EnvError");
}

describe("readDashboardEnv", () => {
  it("refuses to start in production without credentials, naming each variable", () => {
    const found = problems({ ...base, NODE_ENV: "production" }).join("\n");
    for (const name of ["DASHBOARD_ADMIN_USER", "DASHBOARD_ADMIN_PASSWORD", "CRON_SECRET", "DASHBOARD_SESSION_SECRET"]) expect(found).toContain(name);
  });

  it("names malformed values without echoing them", () => {
    const found = problems({ ...full, CRON_SECRET: "short-secret", PORT: "http", DASHBOARD_SESSION_SECRET: "tiny", REDIS_URL: "http://x" }).join("\n");
    expect(found).toMatch(/CRON_SECRET: must be at least 16/);
    expect(found).toMatch(/PORT:/);
    expect(found).toMatch(/DASHBOARD_SESSION_SECRET: must be at least 32/);
    expect(found).toMatch(/REDIS_URL:/);
    expect(found).not.toContain("short-secret");
  });

  it("requires a password with its user and vice versa", () => {
    expect(problems({ ...full, DASHBOARD_VIEWER_USER: "viewer" }).join()).toContain("DASHBOARD_VIEWER_PASSWORD");
  });

  it("parses a full production config with defaults", () => {
    const env = readDashboardEnv({ ...full, DASHBOARD_VIEWER_USER: "viewer", DASHBOARD_VIEWER_PASSWORD: "viewer-password" });
    expect(env).toMatchObject({ port: 3000, queuePrefix: "bull", nodeEnv: "production" });
    expect(env.config).toMatchObject({ secureCookies: true, insecureDev: false, cronSecret: "c".repeat(24) });
    expect(env.config.users.map((u) => `${u.name}:${u.role}`)).toEqual(["admin:admin", "viewer:viewer"]);
  });

  it("development still needs credentials unless DASHBOARD_ALLOW_INSECURE_DEV is set", () => {
    expect(problems({ ...base, NODE_ENV: "development" }).join()).toContain("DASHBOARD_ALLOW_INSECURE_DEV");
    const env = readDashboardEnv({ ...base, NODE_ENV: "development", DASHBOARD_ALLOW_INSECURE_DEV: "true" });
    expect(env.config).toMatchObject({ insecureDev: true, users: [] });
  });

  it("an unset NODE_ENV is production: credentials and secrets are required", () => {
    const found = problems({ ...base }).join("\n");
    for (const name of ["DASHBOARD_ADMIN_USER", "CRON_SECRET", "DASHBOARD_SESSION_SECRET"]) expect(found).toContain(name);
    expect(readDashboardEnv({ ...full, NODE_ENV: undefined })).toMatchObject({ nodeEnv: "production", host: "0.0.0.0" });
  });

  it("listens on loopback by default in development and refuses insecure mode on any other interface", () => {
    expect(readDashboardEnv({ ...base, NODE_ENV: "development", DASHBOARD_ALLOW_INSECURE_DEV: "true" }).host).toBe("127.0.0.1");
    for (const HOST of ["0.0.0.0", "::", "192.168.1.10"]) {
      expect(problems({ ...base, NODE_ENV: "development", DASHBOARD_ALLOW_INSECURE_DEV: "true", HOST }).join()).toContain(
        "DASHBOARD_ALLOW_INSECURE_DEV: only allowed when HOST is a loopback address",
      );
    }
    expect(problems({ ...full, HOST: "bad host!" }).join()).toContain("HOST:");
  });

  it("DASHBOARD_ALLOW_INSECURE_DEV is ignored outside development", () => {
    expect(problems({ ...base, NODE_ENV: "production", DASHBOARD_ALLOW_INSECURE_DEV: "true" }).join()).toContain("DASHBOARD_ADMIN_USER");
  });

  it("TRUST_PROXY: a list of addresses or CIDRs, each bad entry named", () => {
    expect(readDashboardEnv({ ...full, TRUST_PROXY: " 127.0.0.1, 10.0.0.0/8 " }).config.trustProxy).toEqual(["127.0.0.1", "10.0.0.0/8"]);
    expect(readDashboardEnv(full).config.trustProxy).toEqual([]);
    expect(problems({ ...full, TRUST_PROXY: "127.0.0.1,proxy.internal" }).join()).toMatch(/^TRUST_PROXY: "proxy.internal" is not an IP address/);
  });

  it("host policy: the public origin when set, loopback names in development, otherwise any", () => {
    expect(readDashboardEnv({ ...full, DASHBOARD_PUBLIC_ORIGIN: "https://ops.example" }).config.hostPolicy).toEqual({ kind: "public", origin: "https://ops.example" });
    expect(readDashboardEnv({ ...base, NODE_ENV: "development", DASHBOARD_ALLOW_INSECURE_DEV: "true" }).config.hostPolicy).toEqual({ kind: "loopback" });
    expect(readDashboardEnv(full).config.hostPolicy).toEqual({ kind: "any" });
    expect(problems({ ...full, DASHBOARD_PUBLIC_ORIGIN: "https://ops.example/admin" }).join()).toMatch(/DASHBOARD_PUBLIC_ORIGIN: must be an origin without a path/);
  });
});
