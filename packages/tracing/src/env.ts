import type { SpanProcessor } from "@opentelemetry/sdk-trace";
import { z } from "zod";

// The OpenTelemetry SDK's own variables (spec: "Environment Variable Specification"). They are
// validated here so a typo stops the process at boot, naming the variable; the SDK reads the same
// variables itself (headers, resource attributes, sampler argument) when it starts.
const EXPORTERS = ["otlp", "console", "zipkin", "none"] as const;
const PROTOCOLS = ["grpc", "http/protobuf", "http/json"] as const;
const SAMPLERS = [
  "always_on",
  "always_off",
  "traceidratio",
  "parentbased_always_on",
  "parentbased_always_off",
  "parentbased_traceidratio",
] as const;

const LOG_LEVELS = ["none", "error", "warn", "info", "debug", "verbose", "all"] as const;

const exporterList = z
  .string()
  .transform((value) => value.split(",").map((name) => name.trim()).filter(Boolean))
  .refine((names) => names.length > 0 && names.every((n) => (EXPORTERS as readonly string[]).includes(n)), {
    message: `must be a comma-separated list of ${EXPORTERS.join(", ")}`,
  });
const otlpUrl = z.url({ protocol: /^https?$/, error: "must be an http(s) URL such as http://otel-collector:4318" });
const protocol = z.enum(PROTOCOLS, { error: `must be one of ${PROTOCOLS.join(", ")}` });

/** The OTEL_* fields every traced app validates (spread into its env schema). */
export const tracingEnvShape = {
  OTEL_SDK_DISABLED: z.enum(["true", "false"], { error: "must be true or false" }).optional().describe("`true` turns tracing off whatever else is set"),
  OTEL_TRACES_EXPORTER: exporterList.optional().describe("`otlp`, `console`, `zipkin` or `none` (comma-separated); tracing is on when it names an exporter other than `none` ([tracing.md](tracing.md))"),
  OTEL_EXPORTER_OTLP_ENDPOINT: otlpUrl.optional().describe("http(s) URL of the OTLP collector; setting it turns tracing on (exporter `otlp`)"),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: otlpUrl.optional().describe("http(s) URL of the OTLP traces endpoint (overrides the general one for traces); setting it turns tracing on"),
  OTEL_EXPORTER_OTLP_PROTOCOL: protocol.optional().describe("`grpc`, `http/protobuf` (default) or `http/json`"),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: protocol.optional().describe("the OTLP protocol for traces only (same forms)"),
  OTEL_SERVICE_NAME: z.string().regex(/^\S+$/, "must be a name without spaces, such as email-worker").optional().describe("service name of the spans (unset: the app's name)"),
  OTEL_TRACES_SAMPLER: z.enum(SAMPLERS, { error: `must be one of ${SAMPLERS.join(", ")}` }).optional().describe("sampler, e.g. `parentbased_traceidratio` (unset: `parentbased_always_on`)"),
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number({ error: "must be a number" }).min(0, "must be 0..1").max(1, "must be 0..1").optional().describe("0..1: the share of traces a ratio sampler keeps"),
  /** The SDK's own diagnostics on stderr (unset: silent, failed exports included). */
  OTEL_LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(", ")}` }).optional().describe("the SDK's own diagnostics on stderr (`error` and above show failed exports; unset: silent)"),
};

type TracingEnv = { [K in keyof typeof tracingEnvShape]?: z.output<(typeof tracingEnvShape)[K]> };

/** What startTracing needs; absent (undefined) means tracing is off. */
export interface TracingConfig {
  /** OTEL_SERVICE_NAME, when set (else the app's name). */
  serviceName?: string;
  /** Replaces the exporter the OTEL_* variables configure (tests: an in-memory exporter); never from env. */
  spanProcessors?: SpanProcessor[];
}

/**
 * Tracing is on when an exporter is configured the standard way: OTEL_TRACES_EXPORTER other than
 * `none`, or an OTLP endpoint (the exporter then defaults to otlp). OTEL_SDK_DISABLED=true wins.
 */
export function tracingConfigFromEnv(env: TracingEnv): TracingConfig | undefined {
  if (env.OTEL_SDK_DISABLED === "true") return undefined;
  const exporters = env.OTEL_TRACES_EXPORTER;
  const on = exporters
    ? exporters.some((name) => name !== "none")
    : Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT ?? env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  if (!on) return undefined;
  return env.OTEL_SERVICE_NAME ? { serviceName: env.OTEL_SERVICE_NAME } : {};
}
