import { z } from "zod";
import { DEFAULT_SPOOL_LEASE_MS, MIN_SPOOL_LEASE_MS } from "@callastar/audit-log/env";
import { tracingEnvShape } from "@callastar/tracing/env";
import { LOG_LEVELS } from "@callastar/process-log";
import { STALL_DEFAULTS } from "./stall-settings";
import { redisFormProblems, redisEnvShape } from "./redis-env";

/** Thrown when the environment is missing or malformed; names every offending variable, on one line. */
export class EnvError extends Error {
  override readonly name = "EnvError";
  constructor(readonly problems: string[]) {
    super(`Invalid configuration: ${problems.join("; ")}`);
  }
}

/** The URL `value` parses to, or undefined: refinements run even after a failed URL check, so they must not throw. */
function urlOf(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

// A bare address, or Resend's `Name <address>`.
const SENDER = /^(?:[^<>]*[^<>\s]\s*<([^<>\s]+)>|([^<>\s]+))$/;
const emailAddress = z.email();

/** Parses `source` (an app's environment) with `schema`; throws EnvError naming each bad variable. */
export function loadEnv<S extends z.ZodType>(schema: S, source: Record<string, string | undefined>): z.output<S> {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const result = schema.safeParse(cleaned);
  // Which Redis form is set is a rule across variables every app shares: checked here, once, for
  // every schema that carries the Redis fields (redisEnvShape), beside its own problems.
  const redisProblems = hasRedisFields(schema) ? redisFormProblems(cleaned) : [];
  if (result.success && redisProblems.length === 0) return result.data;
  const issues = result.success ? [] : result.error.issues.map((issue) => `${issue.path.map(String).join(".") || "(env)"}: ${issue.message}`);
  throw new EnvError([...issues, ...redisProblems]);
}

const hasRedisFields = (schema: z.ZodType): boolean =>
  schema instanceof z.ZodObject && Object.keys(redisEnvShape).every((key) => key in schema.shape);

/** Reusable env fields, so every app validates them the same way. */
export const envFields = {
  // Forgetting NODE_ENV must not open development shortcuts: unset means production.
  nodeEnv: z
    .enum(["development", "test", "production"], { error: "must be development, test or production" })
    .default("production")
    .describe("`development`, `test` or `production`; unset counts as production (credentials required, secure cookies)"),
  logLevel: z
    .enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(", ")}` })
    .default("info")
    .describe("process log level (`fatal` … `trace`, `silent`): JSON lines on stdout, pretty with `NODE_ENV=development`"),
  databaseUrl: z
    .url({ protocol: /^postgres(ql)?$/, error: "must be a postgres:// URL" })
    .describe("`postgres://user:password@host:5432/db`: the domain tables and `\"Log\"` (`pnpm db:migrate` and `pnpm audit:verify` read it too)"),
  queuePrefix: z
    .string()
    .regex(/^[A-Za-z0-9_{}-]+(:[A-Za-z0-9_{}-]+)*$/, "must be a key prefix like bull or {callastar}")
    .default("bull")
    .describe("BullMQ key prefix, the same in every app and the producer; on Redis Cluster each queue gets its own hash tag after it (`<prefix>:{emails}`), so it carries none itself ([docs/redis.md](docs/redis.md))"),
  positiveInt: (fallback: number) => z.coerce.number({ error: "must be a number" }).int("must be an integer").positive("must be > 0").default(fallback),
  nonNegativeInt: (fallback: number) => z.coerce.number({ error: "must be a number" }).int("must be an integer").min(0, "must be >= 0").default(fallback),
  port: z.coerce.number({ error: "must be a port number 1..65535" }).int("must be an integer").min(1, "must be 1..65535").max(65535, "must be 1..65535"),
  /** A sender: `address@domain` or `Name <address@domain>` (Resend's forms). */
  sender: (example: string) =>
    z.string().refine((value) => {
      const match = SENDER.exec(value.trim());
      return match !== null && emailAddress.safeParse(match[1] ?? match[2]).success;
    }, `must be an email address or 'Name <address>', such as '${example}'`),
  /** A secret API key: required, at least `min` characters, starting with one of `prefixes` when given. */
  apiKey: (what: string, min: number, prefixes: readonly string[] = []) =>
    z
      .string({ error: `is required (${what})` })
      .min(min, `must be at least ${min} characters (${what})`)
      .refine((v) => prefixes.length === 0 || prefixes.some((p) => v.startsWith(p)), `must start with ${prefixes.join(" or ")} (${what})`),
  timezone: z
    .string()
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat("en-US", { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, "must be an IANA time zone such as UTC or Europe/Paris")
    .default("UTC")
    .describe("IANA time zone of the cron patterns (`UTC`, `Europe/Paris`)"),
  httpUrl: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }),
  /** An http(s) origin with no path, for SDKs that add their own (Stripe adds /v1, Resend /emails). */
  originUrl: (example: string, why: string) =>
    z
      .url({ protocol: /^https?$/, error: `must be an http(s) URL such as ${example}` })
      .refine((value) => {
        const url = urlOf(value);
        return url === undefined || (url.pathname === "/" && url.search === "" && url.hash === "");
      }, `must be an origin without a path, such as ${example} (${why})`),
  /** An http(s) API base whose path must end with `suffix` (Daily's `/v1`). */
  apiBaseUrl: (suffix: string, example: string) =>
    z
      .url({ protocol: /^https?$/, error: `must be an http(s) URL such as ${example}` })
      .refine((value) => urlOf(value)?.pathname.replace(/\/+$/, "").endsWith(suffix) ?? true, `must include the API version path ${suffix}, such as ${example}`),
};

/**
 * The audit spool of every app that writes audit rows. The logger reads both itself; they are
 * validated here too so a bad value stops the app before any connection.
 */
export const spoolEnvShape = {
  LOG_SPOOL_DIR: z
    .string()
    .optional()
    .describe("directory where audit rows wait, fsync'd, while PostgreSQL is unreachable; shareable by every copy (unset: `<tmpdir>/callastar-audit-spool-<uid>/<db>`)"),
  LOG_SPOOL_LEASE_MS: z.coerce
    .number({ error: "must be a number" })
    .int("must be an integer")
    .min(MIN_SPOOL_LEASE_MS, `must be >= ${MIN_SPOOL_LEASE_MS}`)
    .default(DEFAULT_SPOOL_LEASE_MS)
    .describe("ms, ≥ 600: a spool file whose owner has not refreshed it this long is replayed by another process"),
};

/** How long an app keeps trying PostgreSQL and Redis at start before it exits 1 naming the variable. */
export const startupEnvShape = {
  STARTUP_DEADLINE_MS: envFields
    .positiveInt(15_000)
    .describe("ms: at start, how long the app retries an unreachable PostgreSQL or Redis before it exits 1 with one line naming the variable"),
};

/** The watchdog of a loop beside the workers (the email batch sender, the outbox relay). */
export const loopEnvShape = {
  LOOP_STALL_AFTER_MS: envFields
    .positiveInt(90_000)
    .describe("ms: a background loop (batch sender, outbox relay) without progress this long while work is due is restarted; `/healthz` fails if a fresh one stalls too"),
};

/** This process' own metrics and liveness server (`GET /metrics`, `GET /healthz`). */
export const metricsEnvShape = {
  METRICS_PORT: envFields.port
    .optional()
    .describe("port 1–65535 of this process' Prometheus `GET /metrics` and liveness `GET /healthz` (unset: not served; 9464 in compose)"),
  METRICS_HOST: z
    .string()
    .regex(/^[A-Za-z0-9.:-]+$/, "must be an interface address such as 0.0.0.0 or 127.0.0.1")
    .default("0.0.0.0")
    .describe("interface address the metrics server listens on"),
};

/** Fields every worker app shares. */
export const workerEnvShape = {
  ...startupEnvShape,
  NODE_ENV: envFields.nodeEnv,
  LOG_LEVEL: envFields.logLevel,
  DATABASE_URL: envFields.databaseUrl,
  ...redisEnvShape,
  QUEUE_PREFIX: envFields.queuePrefix,
  SHUTDOWN_TIMEOUT_MS: envFields
    .positiveInt(30_000)
    .describe("ms: on SIGTERM the app stops taking work, drains, flushes its audit rows and exits 0 within this bound (else exits 1)"),
  ...spoolEnvShape,
  WORKER_LOCK_DURATION_MS: envFields
    .positiveInt(STALL_DEFAULTS.lockDurationMs)
    .describe("ms, BullMQ job lock: a killed worker's jobs run again within lock/2 … lock + interval ([runtime.md](runtime.md))"),
  WORKER_STALLED_INTERVAL_MS: envFields
    .positiveInt(STALL_DEFAULTS.stalledIntervalMs)
    .describe("ms: how often a live worker looks for jobs whose worker died"),
  WORKER_MAX_STALLED_COUNT: envFields
    .nonNegativeInt(STALL_DEFAULTS.maxStalledCount)
    .describe("crashes a job survives; taken again after more, it fails for good (a poison job)"),
  ...loopEnvShape,
  ...metricsEnvShape,
  ...tracingEnvShape,
};
