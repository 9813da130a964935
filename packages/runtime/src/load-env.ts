import { z } from "zod";
import { tracingEnvShape } from "@callastar/tracing";
import { LOG_LEVELS } from "@callastar/process-log";
import { STALL_DEFAULTS } from "./stall-settings";

/** Thrown when the environment is missing or malformed; names every offending variable. */
export class EnvError extends Error {
  override readonly name = "EnvError";
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

/** Parses `source` (an app's environment) with `schema`; throws EnvError naming each bad variable. */
export function loadEnv<S extends z.ZodType>(schema: S, source: Record<string, string | undefined>): z.output<S> {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  throw new EnvError(
    result.error.issues.map((issue) => `${issue.path.map(String).join(".") || "(env)"}: ${issue.message}`),
  );
}

/** Reusable env fields, so every app validates them the same way. */
export const envFields = {
  // Forgetting NODE_ENV must not open development shortcuts: unset means production.
  nodeEnv: z.enum(["development", "test", "production"], { error: "must be development, test or production" }).default("production"),
  logLevel: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(", ")}` }).default("info"),
  databaseUrl: z.url({ protocol: /^postgres(ql)?$/, error: "must be a postgres:// URL" }),
  redisUrl: z.url({ protocol: /^rediss?$/, error: "must be a redis:// or rediss:// URL" }),
  queuePrefix: z.string().regex(/^[A-Za-z0-9_{}-]+(:[A-Za-z0-9_{}-]+)*$/, "must be a key prefix like bull or {callastar}").default("bull"),
  positiveInt: (fallback: number) => z.coerce.number().int("must be an integer").positive("must be > 0").default(fallback),
  nonNegativeInt: (fallback: number) => z.coerce.number().int("must be an integer").min(0, "must be >= 0").default(fallback),
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
    .default("UTC"),
  httpUrl: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }),
  /** An http(s) origin with no path, for SDKs that add their own (Stripe adds /v1, Resend /emails). */
  originUrl: (example: string, why: string) =>
    z
      .url({ protocol: /^https?$/, error: `must be an http(s) URL such as ${example}` })
      .refine((value) => {
        const url = new URL(value);
        return url.pathname === "/" && url.search === "" && url.hash === "";
      }, `must be an origin without a path, such as ${example} (${why})`),
  /** An http(s) API base whose path must end with `suffix` (Daily's `/v1`). */
  apiBaseUrl: (suffix: string, example: string) =>
    z
      .url({ protocol: /^https?$/, error: `must be an http(s) URL such as ${example}` })
      .refine((value) => new URL(value).pathname.replace(/\/+$/, "").endsWith(suffix), `must include the API version path ${suffix}, such as ${example}`),
};

/** Fields every worker app shares. */
export const workerEnvShape = {
  NODE_ENV: envFields.nodeEnv,
  LOG_LEVEL: envFields.logLevel,
  DATABASE_URL: envFields.databaseUrl,
  REDIS_URL: envFields.redisUrl,
  QUEUE_PREFIX: envFields.queuePrefix,
  SHUTDOWN_TIMEOUT_MS: envFields.positiveInt(30_000),
  LOG_SPOOL_DIR: z.string().optional(),
  /** BullMQ job lock; a crashed worker's jobs come back after it expires (see stall-settings.ts). */
  WORKER_LOCK_DURATION_MS: envFields.positiveInt(STALL_DEFAULTS.lockDurationMs),
  /** How often a live worker looks for jobs whose worker died. */
  WORKER_STALLED_INTERVAL_MS: envFields.positiveInt(STALL_DEFAULTS.stalledIntervalMs),
  /** Crashes a job survives; taken again after more, it fails for good (a poison job). */
  WORKER_MAX_STALLED_COUNT: envFields.nonNegativeInt(STALL_DEFAULTS.maxStalledCount),
  /** Serves this process' Prometheus metrics on GET /metrics (off when unset; 9464 in compose). */
  METRICS_PORT: z.coerce.number().int("must be an integer").min(1, "must be 1..65535").max(65535, "must be 1..65535").optional(),
  METRICS_HOST: z.string().regex(/^[A-Za-z0-9.:-]+$/, "must be an interface address such as 0.0.0.0 or 127.0.0.1").default("0.0.0.0"),
  /** OpenTelemetry's standard variables; tracing is off unless they configure an exporter. */
  ...tracingEnvShape,
};
