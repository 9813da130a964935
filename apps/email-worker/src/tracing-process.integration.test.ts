import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SpanKind } from "@opentelemetry/api";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace";
import { Redis } from "ioredis";
import { Producer } from "@callastar/producer";
import { startResendStandin, type ResendStandin } from "@callastar/standins";
import { createTestDatabase, obliteratePrefix, spawnApp, testEnv, uniquePrefix, waitFor, type AppProcess, type TestDatabase } from "@callastar/testing";
import { startTracing, type Tracing } from "@callastar/tracing";
import { sendOneEmail } from "./test-email";
import { emailWorkerProcessEnv } from "./test-env";

// The production path across processes: the main app (this test process, its own SDK) enqueues; a
// real email-worker process configured only by OTEL_* variables continues the trace and exports it
// over OTLP (http/json) to a collector stand-in. Its batch processor is told to wait 10 minutes, so
// the spans can only arrive through the flush of its SIGTERM shutdown.
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Array<{ key: string; value: { stringValue?: string; intValue?: number | string } }>;
}
interface OtlpExport {
  resourceSpans: Array<{
    resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> };
    scopeSpans: Array<{ spans: OtlpSpan[] }>;
  }>;
}

let t: TestDatabase;
let resend: ResendStandin;
let prefix: string;
let redis: Redis;
let collector: Server;
let collectorUrl: string;
const exports: OtlpExport[] = [];
let mainApp: Tracing;
const mainAppSpans = new InMemorySpanExporter();
let worker: AppProcess | undefined;

beforeAll(async () => {
  t = await createTestDatabase();
  resend = await startResendStandin({ rateLimitPerSecond: 0 });
  prefix = uniquePrefix("tracing-process");
  redis = new Redis(testEnv.redisUrl, { maxRetriesPerRequest: 1 });
  collector = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      if (req.url === "/v1/traces") exports.push(JSON.parse(body) as OtlpExport);
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((r) => collector.listen(0, "127.0.0.1", r));
  collectorUrl = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
  mainApp = startTracing({ spanProcessors: [new SimpleSpanProcessor({ exporter: mainAppSpans })] }, { serviceName: "main-app" });
});
afterAll(async () => {
  if (worker && worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill("SIGKILL");
  await mainApp.shutdown();
  redis.disconnect();
  await obliteratePrefix(prefix);
  await new Promise((r) => collector.close(r));
  await resend.close();
  await t.drop();
});

const attribute = (span: OtlpSpan, key: string) => {
  const value = span.attributes.find((a) => a.key === key)?.value;
  return value?.stringValue ?? value?.intValue;
};

it("a worker process continues the main app's trace and flushes its spans when SIGTERM stops it", async () => {
  worker = spawnApp("email-worker", {
    ...emailWorkerProcessEnv({ databaseUrl: t.url, redisUrl: testEnv.redisUrl, prefix, resend }),
    OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl,
    OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
    OTEL_BSP_SCHEDULE_DELAY: "600000",
  });
  await worker.waitForOutput("tracing on", 120_000);

  const producer = new Producer({ connection: redis, prefix, telemetry: mainApp.telemetry });
  try {
    await sendOneEmail(producer, "payment_received:pi_trace_process");
    await waitFor("delivered by the batch sender", () => resend.deliveries.some((d) => String(d.to) === "ada@example.com"));
  } finally {
    await producer.close();
  }
  expect(exports).toHaveLength(0); // nothing exported yet: the batch waits

  worker.child.kill("SIGTERM");
  expect(await worker.exited).toBe(0);

  const producerSpan = mainAppSpans.getFinishedSpans().find((s) => s.kind === SpanKind.PRODUCER)!;
  expect(producerSpan).toBeDefined();
  const resource = exports.flatMap((e) => e.resourceSpans);
  expect(resource.every((r) => r.resource.attributes.some((a) => a.key === "service.name" && a.value.stringValue === "email-worker"))).toBe(true);
  const spans = resource.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
  const traceId = producerSpan.spanContext().traceId;
  const process = spans.find((s) => s.name === "process emails");
  expect(process).toMatchObject({ traceId, parentSpanId: producerSpan.spanContext().spanId });
  // The job looks up an earlier outcome and queues the email; the batch sender's request to Resend
  // carries other jobs' emails too, so it is no part of this trace.
  const sql = spans.filter((s) => attribute(s, "db.system.name") === "postgresql" && s.traceId === traceId);
  expect(sql.map((s) => s.name)).toEqual(expect.arrayContaining(["SELECT", "INSERT"]));
  expect(spans.filter((s) => s.traceId === traceId && String(attribute(s, "url.full") ?? "").startsWith(resend.url))).toEqual([]);
  expect(worker.output()).toContain("tracing closed");
});

it("a worker whose collector is unreachable still sends its emails and exits 0 on SIGTERM", async () => {
  const unreachable = spawnApp("email-worker", {
    ...emailWorkerProcessEnv({ databaseUrl: t.url, redisUrl: testEnv.redisUrl, prefix, resend }),
    OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9", // discard port: connection refused
    OTEL_BSP_SCHEDULE_DELAY: "600000", // the spans are still pending at SIGTERM
  });
  try {
    await unreachable.waitForOutput("tracing on", 120_000);
    const producer = new Producer({ connection: redis, prefix });
    try {
      await sendOneEmail(producer, "payment_received:pi_trace_unreachable");
      await waitFor("delivered by the batch sender", () => resend.deliveries.length >= 1);
    } finally {
      await producer.close();
    }
    unreachable.child.kill("SIGTERM");
    expect(await unreachable.exited).toBe(0);
    // Its spans are lost (said so when the last export fails), never the shutdown.
    expect(unreachable.output()).toMatch(/"msg":"tracing: last spans not exported \([^"]*ECONNREFUSED[^"]*\)"\}\n.*"msg":"tracing closed/);
  } finally {
    if (unreachable.child.exitCode === null && unreachable.child.signalCode === null) unreachable.child.kill("SIGKILL");
  }
});
