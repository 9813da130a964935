import { context, trace, type Context } from "@opentelemetry/api";
import { isTracingSuppressed } from "@opentelemetry/core";

/**
 * The active context when a recording span is in it (a traced, sampled job), else undefined: HTTP
 * and SQL spans are leaves of a job's trace, never roots, nor children of a sampled-out span, nor
 * spans of the exporter's own requests (suppressed).
 */
export function tracedContext(): Context | undefined {
  const active = context.active();
  return trace.getSpan(active)?.isRecording() && !isTracingSuppressed(active) ? active : undefined;
}
