import { trace, type SpanContext } from "@opentelemetry/api";

/** Runs `fn` inside an active span named `name` (a test's stand-in for a job); returns its result and the span's context. */
export function inSpan<T>(name: string, fn: () => Promise<T>): Promise<{ result: T; span: SpanContext }> {
  return trace.getTracer("test").startActiveSpan(name, async (span) => {
    try {
      return { result: await fn(), span: span.spanContext() };
    } finally {
      span.end();
    }
  });
}
