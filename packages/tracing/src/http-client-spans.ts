import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { ClientRequest, IncomingMessage } from "node:http";
import { SpanKind, SpanStatusCode, type Span, type Tracer } from "@opentelemetry/api";
import { tracedContext } from "./traced-context";

// node:http client spans from Node's own diagnostics channels, not from patching the module: the
// Resend transport binds `request` when it is built and the Stripe SDK holds its own reference, so
// a module patch applied after they load (or under ESM) misses them; a channel sees every request.
const START = "http.client.request.start";
const RESPONSE = "http.client.response.finish";
const ERROR = "http.client.request.error";

/** Subscribes CLIENT spans for node:http(s) requests made inside a trace; returns the unsubscriber. */
export function traceHttpClientRequests(tracer: Tracer): () => void {
  const spans = new WeakMap<ClientRequest, Span>();

  const onStart = (message: unknown) => {
    const { request } = message as { request: ClientRequest };
    const parent = tracedContext();
    if (!parent) return;
    const method = request.method;
    const host = request.host;
    // The Host header carries the port when it is not the protocol's default.
    const hostHeader = request.getHeader("host");
    const authority = typeof hostHeader === "string" ? hostHeader : host;
    const span = tracer.startSpan(
      method,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          "http.request.method": method,
          "server.address": host,
          // Without the query string: it may carry identifiers or tokens.
          "url.full": `${request.protocol}//${authority}${request.path.split("?")[0]}`,
        },
      },
      parent,
    );
    spans.set(request, span);
    // A request that ends without a response or error event (aborted, destroyed) still ends its span.
    request.once("close", () => finish(request, undefined));
  };
  const onResponse = (message: unknown) => {
    const { request, response } = message as { request: ClientRequest; response: IncomingMessage };
    finish(request, response.statusCode);
  };
  const onError = (message: unknown) => {
    const { request, error } = message as { request: ClientRequest; error: Error };
    const span = spans.get(request);
    if (!span) return;
    span.recordException(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
    finish(request, undefined);
  };
  const finish = (request: ClientRequest, status: number | undefined) => {
    const span = spans.get(request);
    if (!span) return;
    spans.delete(request);
    if (status !== undefined) {
      span.setAttribute("http.response.status_code", status);
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
  };

  subscribe(START, onStart);
  subscribe(RESPONSE, onResponse);
  subscribe(ERROR, onError);
  return () => {
    unsubscribe(START, onStart);
    unsubscribe(RESPONSE, onResponse);
    unsubscribe(ERROR, onError);
  };
}
