import { SpanKind } from "@opentelemetry/api";
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace";
import { BullMQOtel } from "bullmq-otel";
import { Redis } from "ioredis";
import { Producer } from "@callastar/producer";
import { startResendStandin, type ResendStandin } from "@callastar/standins";
import { createTestDatabase, obliteratePrefix, testEnv, uniquePrefix, waitFor, type TestDatabase } from "@callastar/testing";
import type { WorkerApp } from "@callastar/runtime";
import { startEmailWorker } from "./app";
import { sendOneEmail } from "./test-email";
import { emailWorkerTestEnv } from "./test-env";

// One trace from the main app's enqueueEmail to the Resend request: a real OpenTelemetry SDK with an
// in-memory exporter, the real email worker (in this process), real Redis, PostgreSQL and the
// Resend stand-in over HTTP.
let t: TestDatabase;
let resend: ResendStandin;
let prefix: string;
let app: WorkerApp;
let redis: Redis;
let producer: Producer;
const exporter = new InMemorySpanExporter();

beforeAll(async () => {
  t = await createTestDatabase();
  resend = await startResendStandin({ rateLimitPerSecond: 0 });
  prefix = uniquePrefix("tracing");
  app = await startEmailWorker(
    emailWorkerTestEnv({ DATABASE_URL: t.url, REDIS_URL: testEnv.redisUrl, QUEUE_PREFIX: prefix, RESEND_BASE_URL: resend.url }),
    { exit: () => undefined, tracing: { spanProcessors: [new SimpleSpanProcessor({ exporter: exporter })] } },
  );
  redis = new Redis(testEnv.redisUrl, { maxRetriesPerRequest: 1 });
  // The main app's producer: its own BullMQOtel, on the process' (here: the same) SDK.
  producer = new Producer({ connection: redis, prefix, telemetry: new BullMQOtel({ tracerName: "main-app" }) });
});
afterAll(async () => {
  await producer.close();
  await app.shutdown("test over");
  redis.disconnect();
  await obliteratePrefix(prefix);
  await resend.close();
  await t.drop();
});

const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

it("one trace runs from enqueueEmail through the worker's process span to the Resend request and the SQL statements", async () => {
  const job = await sendOneEmail(producer, "payment_received:pi_trace_1");
  const process = await waitFor("the worker's process span", () =>
    exporter.getFinishedSpans().find((s) => s.name === "process emails" && s.kind === SpanKind.CONSUMER),
  );
  expect(resend.deliveries).toHaveLength(1);
  // BullMQ stored the producer's context with the job: that is how the worker continues the trace.
  expect(job.opts.telemetry?.metadata).toEqual(expect.any(String));

  const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === process.spanContext().traceId);
  const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
  const producerSpan = spans.find((s) => s.kind === SpanKind.PRODUCER);
  expect(producerSpan).toMatchObject({ name: "addBulk emails" });
  expect(parentOf(producerSpan!)).toBeUndefined(); // the trace starts at the producer call
  expect(parentOf(process)).toBe(producerSpan!.spanContext().spanId);

  // The Resend request: a CLIENT span under the process span, to the stand-in's /emails.
  const http = spans.filter((s) => s.kind === SpanKind.CLIENT && s.attributes["http.request.method"] !== undefined);
  expect(http).toHaveLength(1);
  expect(http[0]!.attributes).toMatchObject({ "url.full": `${resend.url}/emails`, "http.response.status_code": 200 });
  expect(parentOf(http[0]!)).toBe(process.spanContext().spanId);

  // The job's statements: the idempotency lookup, and the EmailDelivery row with its EMAIL_SENT
  // audit row in one statement.
  const sql = spans.filter((s) => s.attributes["db.system.name"] === "postgresql" && s.attributes["db.query.text"]);
  const texts = sql.map((s) => String(s.attributes["db.query.text"]));
  expect(texts.some((q) => /^select .*from "EmailDelivery"/i.test(q))).toBe(true);
  const record = sql.find((s) => /"EmailDelivery"/.test(String(s.attributes["db.query.text"])) && /insert into "Log"/i.test(String(s.attributes["db.query.text"])));
  expect(record).toBeDefined();
  expect(record!.name).toBe("WITH");
  for (const s of sql) expect(parentOf(s)).toBe(process.spanContext().spanId);

  // Every span of the trace links, parent by parent, up to the producer span.
  for (const span of spans) {
    let cursor: ReadableSpan = span;
    for (let hops = 0; parentOf(cursor) !== undefined; hops++) {
      expect(hops).toBeLessThan(spans.length);
      cursor = byId.get(parentOf(cursor)!)!;
      expect(cursor).toBeDefined();
    }
    expect(cursor).toBe(producerSpan);
  }
});

it("a producer without telemetry enqueues untraced jobs: no context stored, no span recorded", async () => {
  const plain = new Producer({ connection: redis, prefix });
  try {
    exporter.reset();
    const job = await sendOneEmail(plain, "payment_received:pi_trace_2");
    expect(job.opts.telemetry).toBeUndefined();
    // The worker still traces its own processing (a root span), but nothing links it to a producer.
    const process = await waitFor("the worker's process span", () => exporter.getFinishedSpans().find((s) => s.name === "process emails"));
    expect(parentOf(process)).toBeUndefined();
  } finally {
    await plain.close();
  }
});
