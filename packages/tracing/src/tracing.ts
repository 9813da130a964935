import { context, propagation, trace } from "@opentelemetry/api";
import { UndiciInstrumentation } from "@opentelemetry/instrumentation-undici";
import { NodeSDK } from "@opentelemetry/sdk-node";
import type { Telemetry } from "bullmq";
import { BullMQOtel } from "bullmq-otel";
import type { TracingConfig } from "./env";
import { traceHttpClientRequests } from "./http-client-spans";
import { traceSql } from "./postgres-spans";

/** A started tracing SDK and what a process hooks into it. */
export interface Tracing {
  /** BullMQ's `telemetry` option for every Queue, Worker and FlowProducer of the process. */
  telemetry: Telemetry;
  /** Wraps a postgres.js client so its statements get spans (createDb's `instrument` option). */
  instrumentSql: <S extends object>(sql: S) => S;
  /** Flushes pending spans and stops the SDK; rejects when that last export failed. Idempotent. */
  shutdown(): Promise<void>;
}

export interface StartTracingOptions {
  /** The service name when OTEL_SERVICE_NAME is not set (the app's name). */
  serviceName: string;
}

const TRACER = "callastar-jobs";

/**
 * Starts the OpenTelemetry SDK (exporter, sampler and resource from the standard OTEL_* variables),
 * BullMQ's telemetry, and spans for fetch (Daily; undici's channels), node:http (Resend, Stripe)
 * and PostgreSQL. Call it only when tracingConfigFromEnv says tracing is on.
 */
export function startTracing(config: TracingConfig, options: StartTracingOptions): Tracing {
  // Like the node:http and SQL spans: only inside a trace (no root span per stray request).
  const undici = new UndiciInstrumentation({ requireParentforSpans: true });
  const sdk = new NodeSDK({
    serviceName: config.serviceName ?? options.serviceName,
    instrumentations: [undici],
    // Traces only: metrics are prom-client's, logs go to stdout.
    metricReaders: [],
    logRecordProcessors: [],
    ...(config.spanProcessors ? { spanProcessors: config.spanProcessors } : {}),
  });
  sdk.start();
  const tracer = trace.getTracer(TRACER);
  const stopHttp = traceHttpClientRequests(tracer);
  let stopping: Promise<void> | undefined;
  return {
    telemetry: new BullMQOtel({ tracerName: TRACER }),
    instrumentSql: (sql) => traceSql(sql, tracer),
    shutdown() {
      stopping ??= (async () => {
        stopHttp();
        undici.disable();
        await sdk.shutdown();
        // Unregister the globals too, so a process (a test) can start tracing again.
        trace.disable();
        context.disable();
        propagation.disable();
      })();
      return stopping;
    },
  };
}
