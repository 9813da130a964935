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

// One trace from the main app's enqueueEmail to the statements that queue the email: a real OpenTelemetry SDK with an
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

it("one trace runs from enqueueEmail through the worker's process span to the SQL statements that queue the email", async () => {
  const job = await sendOneEmail(producer, "payment_received:pi_trace_1");
  const process = await waitFor("the worker's process span", () =>
    exporter.getFinishedSpans().find((s) => s.name === "process emails" && s.kind === SpanKind.CONSUMER),
  );
  // The batch sender sends it later, in a request that may carry other jobs' emails: not this trace's.
  await waitFor("delivered by the batch sender", () => resend.deliveries.length === 1);
  // BullMQ stored the producer's context with the job: that is how the worker continues the trace.
  expect(job.opts.telemetry?.metadata).toEqual(expect.any(String));

  const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === process.spanContext().traceId);
  const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
  const producerSpan = spans.find((s) => s.kind === SpanKind.PRODUCER);
  expect(producerSpan).toMatchObject({ name: "addBulk emails" });
  expect(parentOf(producerSpan!)).toBeUndefined(); // the trace starts at the producer call
  expect(parentOf(process)).toBe(producerSpan!.spanContext().spanId);

  // No Resend request in the job's trace: the job queues, the batch sender sends.
  expect(spans.filter((s) => s.kind === SpanKind.CLIENT && s.attributes["http.request.method"] !== undefined)).toEqual([]);

  // The job's statements: the lookup of an earlier delivery or refusal, and the email queued in
  // "PendingEmail" under its own key.
  const sql = spans.filter((s) => s.attributes["db.system.name"] === "postgresql" && s.attributes["db.query.text"]);
  const texts = sql.map((s) => String(s.attributes["db.query.text"]));
  expect(texts.some((q) => /^\s*select exists .*from "EmailDelivery"/is.test(q))).toBe(true);
  expect(texts.some((q) => /^\s*insert into "PendingEmail"/i.test(q))).toBe(true);
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
