export { tracingEnvShape, tracingConfigFromEnv, type TracingConfig } from "./env";
export { startTracing, type Tracing, type StartTracingOptions } from "./tracing";
