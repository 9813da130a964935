import { z } from "zod";
import { tracingConfigFromEnv, tracingEnvShape } from "./env";

const schema = z.object(tracingEnvShape);
const config = (env: Record<string, string>) => tracingConfigFromEnv(schema.parse(env));
const problems = (env: Record<string, string>) => {
  const result = schema.safeParse(env);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};

describe("tracing is off unless the standard variables configure an exporter", () => {
  it("is off with no OTEL_* variable, or only a service name or sampler", () => {
    expect(config({})).toBeUndefined();
    expect(config({ OTEL_SERVICE_NAME: "email-worker", OTEL_TRACES_SAMPLER: "always_on" })).toBeUndefined();
  });

  it("is on with an OTLP endpoint (the exporter defaults to otlp) or an exporter other than none", () => {
    expect(config({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" })).toEqual({});
    expect(config({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://collector:4318/v1/traces" })).toEqual({});
    expect(config({ OTEL_TRACES_EXPORTER: "console" })).toEqual({});
    expect(config({ OTEL_TRACES_EXPORTER: "otlp,console", OTEL_SERVICE_NAME: "emails-eu" })).toEqual({ serviceName: "emails-eu" });
  });

  it("is off when the exporter is none or the SDK is disabled, whatever else is set", () => {
    expect(config({ OTEL_TRACES_EXPORTER: "none", OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" })).toBeUndefined();
    expect(config({ OTEL_SDK_DISABLED: "true", OTEL_TRACES_EXPORTER: "otlp" })).toBeUndefined();
    expect(config({ OTEL_SDK_DISABLED: "false", OTEL_TRACES_EXPORTER: "otlp" })).toEqual({});
  });

  it("refuses malformed values, naming the variable and the expected form", () => {
    expect(problems({ OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318" })).toEqual([
      "OTEL_EXPORTER_OTLP_ENDPOINT: must be an http(s) URL such as http://otel-collector:4318",
    ]);
    expect(problems({ OTEL_TRACES_EXPORTER: "jaeger" })).toEqual([
      "OTEL_TRACES_EXPORTER: must be a comma-separated list of otlp, console, zipkin, none",
    ]);
    expect(problems({ OTEL_EXPORTER_OTLP_PROTOCOL: "http" })).toEqual([
      "OTEL_EXPORTER_OTLP_PROTOCOL: must be one of grpc, http/protobuf, http/json",
    ]);
    expect(problems({ OTEL_SDK_DISABLED: "yes" })).toEqual(["OTEL_SDK_DISABLED: must be true or false"]);
    expect(problems({ OTEL_TRACES_SAMPLER_ARG: "2" })).toEqual(["OTEL_TRACES_SAMPLER_ARG: must be 0..1"]);
    expect(problems({ OTEL_LOG_LEVEL: "loud" })).toEqual(["OTEL_LOG_LEVEL: must be one of none, error, warn, info, debug, verbose, all"]);
  });
});
