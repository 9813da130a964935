import { hasSubscribers } from "node:diagnostics_channel";
import { types } from "node:util";
import { trace } from "@opentelemetry/api";
import { Redis } from "ioredis";
import { Producer } from "@callastar/producer";
import { EnvError, workerOptionsFromEnv, type WorkerApp } from "@callastar/runtime";
import { startResendStandin, type ResendStandin } from "@callastar/standins";
import { createTestDatabase, obliteratePrefix, testEnv, uniquePrefix, waitFor, type TestDatabase } from "@callastar/testing";
import { startEmailWorker } from "./app";
import { sendOneEmail } from "./test-email";
import { emailWorkerTestEnv } from "./test-env";

// Without OTEL_* the worker starts no SDK and hooks nothing: BullMQ gets no telemetry option, the
// postgres.js client is not wrapped, no diagnostics channel has a subscriber.
let t: TestDatabase;
let resend: ResendStandin;
let prefix: string;
let app: WorkerApp;
let redis: Redis;

beforeAll(async () => {
  t = await createTestDatabase();
  resend = await startResendStandin({ rateLimitPerSecond: 0 });
  prefix = uniquePrefix("tracing-off");
  redis = new Redis(testEnv.redisUrl, { maxRetriesPerRequest: 1 });
});
afterAll(async () => {
  await app?.shutdown("test over");
  redis.disconnect();
  await obliteratePrefix(prefix);
  await resend.close();
  await t.drop();
});

it("starts nothing without OTEL_* variables, and still processes jobs", async () => {
  const env = emailWorkerTestEnv({ DATABASE_URL: t.url, REDIS_URL: testEnv.redisUrl, QUEUE_PREFIX: prefix, RESEND_BASE_URL: resend.url });
  expect(workerOptionsFromEnv(env).tracing).toBeUndefined();
  app = await startEmailWorker(env, { exit: () => undefined });

  for (const worker of app.workers) expect(worker.opts.telemetry).toBeUndefined();
  expect(app.ctx.flows.opts.telemetry).toBeUndefined();
  expect(app.ctx.queue("emails").opts.telemetry).toBeUndefined();
  expect(types.isProxy(app.ctx.db.sql)).toBe(false);
  for (const channel of ["http.client.request.start", "http.client.response.finish", "http.client.request.error", "undici:request:create"]) {
    expect(hasSubscribers(channel)).toBe(false);
  }
  // No SDK registered: the API hands out non-recording spans.
  const probe = trace.getTracer("probe").startSpan("probe");
  expect(probe.isRecording()).toBe(false);
  probe.end();

  const producer = new Producer({ connection: redis, prefix });
  try {
    const job = await sendOneEmail(producer, "payment_received:pi_untraced");
    expect(job.opts.telemetry).toBeUndefined();
    await waitFor("delivered by the batch sender", () => resend.deliveries.length === 1);
  } finally {
    await producer.close();
  }
});

it("refuses a malformed OTEL_* variable at boot, naming it", () => {
  const base = { DATABASE_URL: t.url, REDIS_URL: testEnv.redisUrl };
  expect(() => emailWorkerTestEnv({ ...base, OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318" })).toThrow(EnvError);
  expect(() => emailWorkerTestEnv({ ...base, OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318" })).toThrow(
    /OTEL_EXPORTER_OTLP_ENDPOINT: must be an http\(s\) URL/,
  );
  expect(() => emailWorkerTestEnv({ ...base, OTEL_TRACES_EXPORTER: "jaeger" })).toThrow(/OTEL_TRACES_EXPORTER: must be a comma-separated list/);
});
