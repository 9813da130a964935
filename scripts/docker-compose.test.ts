import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse } from "yaml";
import { loadEmailWorkerEnv } from "../apps/email-worker/src/env";
import { loadMaintenanceEnv } from "../apps/maintenance-worker/src/env";
import { loadSchedulerEnv } from "../apps/scheduler/src/env";
import { loadRoomWorkerEnv } from "../apps/room-worker/src/env";
import { loadPayoutWorkerEnv } from "../apps/payout-worker/src/env";
import { readDashboardEnv } from "../apps/dashboard/src/env";
import { readSpoolLeaseMs } from "../packages/audit-log/src/env";

// No Docker engine runs here, so the compose file is checked structurally and against the apps'
// own env validation: every app must boot on the environment compose gives it.
type Service = {
  image?: string;
  profiles?: string[];
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: unknown;
  volumes?: string[];
};
const compose = parse(readFileSync(resolve(__dirname, "../docker-compose.yml"), "utf8"), { merge: true }) as {
  services: Record<string, Service>;
};
const services = compose.services;

// The secrets compose requires (`${VAR:?…}`), with test values.
const secrets: Record<string, string> = {
  POSTGRES_PASSWORD: "pw",
  RESEND_API_KEY: "re_live_x",
  APP_URL: "https://callastar.com",
  DAILY_API_KEY: "daily_live_x",
  STRIPE_SECRET_KEY: "sk_live_x",
  CRON_SECRET: "0123456789abcdef0123",
  DASHBOARD_ADMIN_USER: "admin",
  DASHBOARD_ADMIN_PASSWORD: "admin-password-123",
  DASHBOARD_SESSION_SECRET: "0123456789abcdef0123456789abcdef0123",
};

/** Substitutes ${VAR:?msg} / ${VAR:-default} / ${VAR-default} the way compose would, with test values for secrets and `vars`. */
function resolveEnv(env: Record<string, string> = {}, vars: Record<string, string> = {}): Record<string, string> {
  const given: Record<string, string> = { ...secrets, ...vars };
  return Object.fromEntries(
    Object.entries(env).map(([k, v]) => [
      k,
      String(v).replace(/\$\{(\w+)(?:(:?)([?-])([^}]*))?\}/g, (_m, name: string, colon?: string, op?: string, arg?: string) => {
        const value = given[name];
        // `:-` replaces an unset or empty value, `-` only an unset one (an empty REDIS_URL stays empty).
        if (value !== undefined && (value !== "" || colon !== ":")) return value;
        return op === "-" ? (arg ?? "") : "";
      }),
    ]),
  );
}

describe("docker-compose.yml", () => {
  // Debian's docker-compose 1.29 (.ci/run installs it) validates the file and its interpolation without an engine.
  const composeConfig = (env: Record<string, string>) =>
    spawnSync("docker-compose", ["-f", resolve(__dirname, "../docker-compose.yml"), "config", "-q"], { env: { PATH: process.env.PATH, ...env }, encoding: "utf8" });

  it("passes docker-compose config with the required secrets, and names the first one missing", () => {
    const ok = composeConfig(secrets);
    expect({ status: ok.status, error: ok.error, stderr: ok.stderr }).toEqual({ status: 0, error: undefined, stderr: "" });
    const { POSTGRES_PASSWORD: _omitted, ...withoutPassword } = secrets;
    const missing = composeConfig(withoutPassword);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("set POSTGRES_PASSWORD");
  });

  it("runs Redis with AOF and noeviction, and PostgreSQL, both health-checked", () => {
    expect(services.redis!.command).toEqual(expect.arrayContaining(["--appendonly", "yes", "--maxmemory-policy", "noeviction"]));
    expect(services.redis!.healthcheck).toBeDefined();
    expect(services.postgres!.healthcheck).toBeDefined();
  });

  it("has a one-shot migration every app waits on", () => {
    expect(services.migrate!.command).toEqual(["node", "packages/db/dist/migrate-cli.js"]);
    for (const app of ["scheduler", "email-worker", "room-worker", "payout-worker", "maintenance-worker", "dashboard"]) {
      expect(services[app]?.depends_on?.migrate?.condition).toBe("service_completed_successfully");
      expect(services[app]?.environment?.APP).toBe(app);
    }
  });

  it("gives each app an environment its own validation accepts", () => {
    expect(() => loadSchedulerEnv(resolveEnv(services.scheduler!.environment))).not.toThrow();
    expect(() => loadEmailWorkerEnv(resolveEnv(services["email-worker"]!.environment))).not.toThrow();
    expect(() => loadMaintenanceEnv(resolveEnv(services["maintenance-worker"]!.environment))).not.toThrow();
    expect(() => loadRoomWorkerEnv(resolveEnv(services["room-worker"]!.environment))).not.toThrow();
    expect(() => loadPayoutWorkerEnv(resolveEnv(services["payout-worker"]!.environment))).not.toThrow();
    expect(readDashboardEnv(resolveEnv(services.dashboard!.environment))).toMatchObject({ port: 3000 });
  });

  it("has a sentinel profile (primary, replica, three sentinels) the apps reach through REDIS_SENTINELS", () => {
    const sentinels = ["redis-sentinel-1", "redis-sentinel-2", "redis-sentinel-3"];
    for (const name of ["redis-primary", "redis-replica", ...sentinels]) expect(services[name]?.profiles).toEqual(["sentinel"]);
    expect(services["redis-replica"]!.command).toEqual(expect.arrayContaining(["--replicaof", "redis-primary", "6379", "--maxmemory-policy", "noeviction"]));
    for (const name of sentinels) expect(services[name]!.command!.join(" ")).toContain("sentinel monitor callastar redis-primary 6379 2");
    const vars = { REDIS_URL: "", REDIS_SENTINELS: sentinels.map((s) => `${s}:26379`).join(","), REDIS_SENTINEL_NAME: "callastar" };
    const env = loadEmailWorkerEnv(resolveEnv(services["email-worker"]!.environment, vars));
    expect([env.REDIS_URL, env.REDIS_SENTINELS, env.REDIS_SENTINEL_NAME]).toEqual([undefined, vars.REDIS_SENTINELS, "callastar"]);
    expect(readDashboardEnv(resolveEnv(services.dashboard!.environment, vars)).redis).toMatchObject({ kind: "sentinel", name: "callastar" });
    const ok = composeConfig({ ...secrets, ...vars, COMPOSE_PROFILES: "sentinel" });
    expect({ status: ok.status, stderr: ok.stderr }).toEqual({ status: 0, stderr: "" });
  });

  it("passes every required secret of each app through compose, never a default", () => {
    const required = (app: string, names: string[]) =>
      names.forEach((n) => expect(services[app]?.environment?.[n]).toMatch(new RegExp(`^\\$\\{${n}:\\?`)));
    required("email-worker", ["RESEND_API_KEY", "APP_URL"]);
    required("room-worker", ["DAILY_API_KEY"]);
    required("payout-worker", ["STRIPE_SECRET_KEY"]);
    required("dashboard", ["CRON_SECRET", "DASHBOARD_ADMIN_USER", "DASHBOARD_ADMIN_PASSWORD", "DASHBOARD_SESSION_SECRET"]);
  });

  it("gives every app the one shared audit spool, created in the image and owned by the user the apps run as", () => {
    for (const app of ["scheduler", "email-worker", "room-worker", "payout-worker", "maintenance-worker", "dashboard"]) {
      const env = resolveEnv(services[app]?.environment);
      expect(services[app]?.volumes).toContain(`spool:${env.LOG_SPOOL_DIR}`);
      expect(readSpoolLeaseMs(env)).toBe(30_000);
    }
    // A named volume copies the mount point's ownership from the image when it is first created.
    const dockerfile = readFileSync(resolve(__dirname, "../Dockerfile"), "utf8");
    const chown = dockerfile.search(/^RUN mkdir -p \/spool && chown node:node \/spool$/m);
    expect(chown).toBeGreaterThan(-1);
    expect(dockerfile.indexOf("\nUSER node")).toBeGreaterThan(chown);
  });
});
