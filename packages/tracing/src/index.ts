export { tracingEnvShape, tracingConfigFromEnv, type TracingConfig } from "./env";
export { startTracing, type Tracing, type StartTracingOptions } from "./tracing";
export { traceSql } from "./postgres-spans";
export { traceHttpClientRequests } from "./http-client-spans";
