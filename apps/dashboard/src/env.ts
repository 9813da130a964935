// The only place the dashboard reads process.env: parsed once at boot, then passed as config.
import { z } from "zod";
import { EnvError, envFields, loadEnv, processLogOptionsFromEnv, redisEnvShape, redisTargetOf, spoolEnvShape, startupEnvShape } from "@callastar/runtime/start";
import type { RedisTarget } from "@callastar/queues/redis-target";
import type { DashboardConfig, DashboardUser } from "./config";
import { isLoopbackHost, trustProxyEntryProblem, type HostPolicy } from "./http/request-origin";

const optionalSecret = (min: number) => z.string().min(min, `must be at least ${min} characters`).optional();
const userName = z.string().regex(/^[^:\s]+$/, "must not contain ':' or spaces").optional();

/** The dashboard's variables, each with its form (docs/configuration.md's table is generated from it). */
export const envSchema = z.object({
  NODE_ENV: envFields.nodeEnv,
  LOG_LEVEL: envFields.logLevel,
  DATABASE_URL: envFields.databaseUrl,
  ...redisEnvShape,
  QUEUE_PREFIX: envFields.queuePrefix,
  HOST: z
    .string()
    .regex(/^[A-Za-z0-9.:-]+$/, "must be an interface address such as 127.0.0.1, ::1 or 0.0.0.0")
    .optional()
    .describe("interface address the dashboard listens on (unset: `127.0.0.1` in development, `0.0.0.0` otherwise)"),
  PORT: envFields.port
    .default(3000)
    .describe("HTTP port of the dashboard (1–65535)"),
  CRON_SECRET: optionalSecret(16).describe("≥ 16 characters: `Authorization: Bearer` (or `x-cron-secret`) of the cron API; required outside development"),
  DASHBOARD_ADMIN_USER: userName.describe("admin user name (no `:` or spaces); required with its password outside insecure development"),
  DASHBOARD_ADMIN_PASSWORD: optionalSecret(12).describe("admin password, ≥ 12 characters"),
  DASHBOARD_VIEWER_USER: userName.describe("read-only user name (optional, with its password; differs from the admin's)"),
  DASHBOARD_VIEWER_PASSWORD: optionalSecret(12).describe("read-only user's password, ≥ 12 characters"),
  DASHBOARD_SESSION_SECRET: optionalSecret(32).describe("≥ 32 characters: signs the login session cookie; required outside development"),
  DASHBOARD_ALLOW_INSECURE_DEV: z
    .enum(["true", "false", "1", "0"], { error: "must be true or false" })
    .optional()
    .describe("`true`: no credentials — only with `NODE_ENV=development` and a loopback `HOST`"),
  DASHBOARD_PUBLIC_ORIGIN: envFields
    .originUrl("https://ops.callastar.com", "the scheme and host operators' browsers use")
    .optional()
    .describe("origin operators' browsers use, e.g. `https://ops.callastar.com`: other `Host` names get 421 and state changes from another `Origin` 403 (unset: any `Host`, and in development loopback names only)"),
  TRUST_PROXY: z
    .string()
    .optional()
    .transform((value, ctx) => {
      const entries = (value ?? "").split(",").map((e) => e.trim()).filter(Boolean);
      for (const entry of entries) {
        const problem = trustProxyEntryProblem(entry);
        if (problem) ctx.addIssue({ code: "custom", message: `${problem}; expected a comma-separated list such as 127.0.0.1,10.0.0.0/8` });
      }
      return entries;
    })
    .describe("comma-separated addresses or CIDRs of your reverse proxies (`10.0.0.0/8`, `loopback`): the client address (lockout, logs) is read from `X-Forwarded-For` through these hops only (unset: trust none; [dashboard.md](dashboard.md))"),
  DASHBOARD_AUTH_MAX_FAILURES: envFields
    .positiveInt(10)
    .describe("failed credential attempts per client address and per user name before a lockout (429 with `Retry-After`)"),
  DASHBOARD_AUTH_WINDOW_SECONDS: envFields.positiveInt(900).describe("seconds: the window of those failures, and the lockout's length"),
  SHUTDOWN_TIMEOUT_MS: envFields.positiveInt(10_000),
  ...startupEnvShape,
  ...spoolEnvShape,
});

/** The dashboard's parsed environment (secrets included; never log it). */
export interface DashboardEnv {
  nodeEnv: "development" | "test" | "production";
  databaseUrl: string;
  /** Where Redis is (any of the three forms). */
  redis: RedisTarget;
  queuePrefix: string;
  /** The interface to listen on: loopback by default in development, every interface otherwise. */
  host: string;
  port: number;
  shutdownTimeoutMs: number;
  /** PostgreSQL and Redis must answer within this at start (STARTUP_DEADLINE_MS). */
  startupDeadlineMs: number;
  logSpoolDir: string | undefined;
  /** LOG_LEVEL, pretty output in development, and the secret values scrubbed from every line. */
  logOptions: ReturnType<typeof processLogOptionsFromEnv>;
  config: DashboardConfig;
}

/** Parses the environment; throws EnvError naming every missing or malformed variable. */
export function readDashboardEnv(source: Record<string, string | undefined> = process.env): DashboardEnv {
  const env = loadEnv(envSchema, source);
  const problems: string[] = [];
  const dev = env.NODE_ENV === "development";
  const insecureDev = dev && (env.DASHBOARD_ALLOW_INSECURE_DEV === "true" || env.DASHBOARD_ALLOW_INSECURE_DEV === "1");
  const host = env.HOST ?? (dev ? "127.0.0.1" : "0.0.0.0");
  // Credential-free development is for the developer's own machine only.
  if (insecureDev && !isLoopbackHost(host)) {
    problems.push(`DASHBOARD_ALLOW_INSECURE_DEV: only allowed when HOST is a loopback address (127.0.0.1, ::1, localhost), not ${host}`);
  }
  const pair = (userVar: string, user?: string, password?: string) => {
    if (user && !password) problems.push(`${userVar.replace("_USER", "_PASSWORD")}: required when ${userVar} is set`);
    if (!user && password) problems.push(`${userVar}: required when ${userVar.replace("_USER", "_PASSWORD")} is set`);
  };
  pair("DASHBOARD_ADMIN_USER", env.DASHBOARD_ADMIN_USER, env.DASHBOARD_ADMIN_PASSWORD);
  pair("DASHBOARD_VIEWER_USER", env.DASHBOARD_VIEWER_USER, env.DASHBOARD_VIEWER_PASSWORD);
  if (env.DASHBOARD_ADMIN_USER && env.DASHBOARD_ADMIN_USER === env.DASHBOARD_VIEWER_USER) {
    problems.push("DASHBOARD_VIEWER_USER: must differ from DASHBOARD_ADMIN_USER");
  }
  // Outside an explicit insecure development run, the process refuses to start without credentials.
  if (!insecureDev) {
    const why = dev ? "required (or set DASHBOARD_ALLOW_INSECURE_DEV=true in development)" : `required when NODE_ENV=${env.NODE_ENV}`;
    if (!env.DASHBOARD_ADMIN_USER) problems.push(`DASHBOARD_ADMIN_USER: ${why}`);
    if (!env.DASHBOARD_ADMIN_PASSWORD) problems.push(`DASHBOARD_ADMIN_PASSWORD: ${why}`);
    if (!dev && !env.CRON_SECRET) problems.push(`CRON_SECRET: ${why}`);
    if (!dev && !env.DASHBOARD_SESSION_SECRET) problems.push(`DASHBOARD_SESSION_SECRET: ${why}`);
  }
  if (problems.length) throw new EnvError(problems);

  const users: DashboardUser[] = [];
  if (env.DASHBOARD_ADMIN_USER && env.DASHBOARD_ADMIN_PASSWORD) {
    users.push({ name: env.DASHBOARD_ADMIN_USER, password: env.DASHBOARD_ADMIN_PASSWORD, role: "admin" });
  }
  if (env.DASHBOARD_VIEWER_USER && env.DASHBOARD_VIEWER_PASSWORD) {
    users.push({ name: env.DASHBOARD_VIEWER_USER, password: env.DASHBOARD_VIEWER_PASSWORD, role: "viewer" });
  }
  // A configured origin is the one name served; without it, development serves loopback names only (DNS rebinding).
  const hostPolicy: HostPolicy = env.DASHBOARD_PUBLIC_ORIGIN ? { kind: "public", origin: env.DASHBOARD_PUBLIC_ORIGIN } : dev ? { kind: "loopback" } : { kind: "any" };
  return {
    nodeEnv: env.NODE_ENV,
    databaseUrl: env.DATABASE_URL,
    redis: redisTargetOf(env),
    queuePrefix: env.QUEUE_PREFIX,
    host,
    port: env.PORT,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    startupDeadlineMs: env.STARTUP_DEADLINE_MS,
    logSpoolDir: env.LOG_SPOOL_DIR,
    logOptions: processLogOptionsFromEnv(env),
    config: {
      users,
      cronSecret: env.CRON_SECRET,
      sessionSecret: env.DASHBOARD_SESSION_SECRET,
      secureCookies: env.NODE_ENV === "production",
      insecureDev,
      hostPolicy,
      trustProxy: env.TRUST_PROXY,
      authThrottle: { maxFailures: env.DASHBOARD_AUTH_MAX_FAILURES, windowSeconds: env.DASHBOARD_AUTH_WINDOW_SECONDS },
    },
  };
}

export { EnvError };
