import { context, SpanKind, SpanStatusCode, TraceFlags, trace } from "@opentelemetry/api";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace";
import { sql as drizzleSql } from "drizzle-orm";
import { createDb, log, type DbHandle } from "@callastar/db";
import { createTestDatabase, type TestDatabase } from "@callastar/testing";
import { startTracing, type Tracing } from "./tracing";
import { inSpan } from "./testing";

// Statement spans over a real PostgreSQL, through the same hook the workers use (createDb's
// `instrument`): postgres.js tagged statements, drizzle queries, transactions, failures.
let t: TestDatabase;
let db: DbHandle;
let tracing: Tracing;
const exporter = new InMemorySpanExporter();

beforeAll(async () => {
  t = await createTestDatabase();
  tracing = startTracing({ spanProcessors: [new SimpleSpanProcessor({ exporter: exporter })] }, { serviceName: "sql-test" });
  db = createDb(t.url, { applicationName: "sql-spans-test", instrument: tracing.instrumentSql });
});
afterAll(async () => {
  await db.close();
  await tracing.shutdown();
  await t.drop();
});
beforeEach(() => exporter.reset());

const sqlSpans = () => exporter.getFinishedSpans().filter((s) => s.attributes["db.system.name"] === "postgresql");

it("gives each statement of a job a CLIENT span with its text (no values), and none outside a trace", async () => {
  await db.sql`SELECT 1`;
  expect(sqlSpans()).toHaveLength(0);
  const { span: job } = await inSpan("job", async () => {
    await db.sql`SELECT ${"secret-value"}::text AS v WHERE ${db.sql`1 = 1`}`; // a fragment is not a statement of its own
    await db.db.select({ n: drizzleSql<number>`count(*)` }).from(log);
  });
  const spans = sqlSpans();
  expect(spans.map((s) => [s.name, s.kind, s.attributes["db.query.text"]])).toEqual([
    ["SELECT", SpanKind.CLIENT, "SELECT $1::text AS v WHERE 1 = 1"],
    ["SELECT", SpanKind.CLIENT, 'select count(*) from "Log"'],
  ]);
  expect(spans[0]!.attributes).toMatchObject({ "db.namespace": t.name, "server.address": "127.0.0.1" });
  for (const s of spans) expect(s.parentSpanContext?.spanId).toBe(job.spanId);
});

it("puts a transaction's statements under one transaction span, and marks a failed statement", async () => {
  const { span: job } = await inSpan("job", () =>
    db.sql
      .begin(async (tx) => {
        await tx`SELECT 1`;
        await tx`SELECT * FROM "NoSuchTable"`;
      })
      .catch((error: Error) => error.message),
  );
  const spans = sqlSpans();
  const transaction = spans.find((s) => s.name === "transaction")!;
  expect(transaction.parentSpanContext?.spanId).toBe(job.spanId);
  expect(transaction.status.code).toBe(SpanStatusCode.ERROR);
  const statements = spans.filter((s) => s !== transaction);
  expect(statements.map((s) => [s.attributes["db.query.text"], s.status.code])).toEqual([
    ["SELECT 1", SpanStatusCode.UNSET],
    ['SELECT * FROM "NoSuchTable"', SpanStatusCode.ERROR],
  ]);
  for (const s of statements) expect(s.parentSpanContext?.spanId).toBe(transaction.spanContext().spanId);
  expect(statements[1]!.status.message).toMatch(/relation "NoSuchTable" does not exist/);
});

it("traces drizzle's transactions the same way", async () => {
  await inSpan("job", () => db.db.transaction(async (tx) => tx.select({ n: drizzleSql<number>`count(*)` }).from(log)));
  const spans = sqlSpans();
  const transaction = spans.find((s) => s.name === "transaction")!;
  expect(spans.filter((s) => s.parentSpanContext?.spanId === transaction.spanContext().spanId).map((s) => s.attributes["db.query.text"])).toEqual([
    'select count(*) from "Log"',
  ]);
});

it("makes no span under a sampled-out job (a non-recording parent)", async () => {
  const sampledOut = trace.wrapSpanContext({ traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", traceFlags: TraceFlags.NONE });
  await context.with(trace.setSpan(context.active(), sampledOut), async () => {
    await db.sql`SELECT 1`;
    await db.sql.begin((tx) => tx`SELECT 2`);
  });
  expect(sqlSpans()).toHaveLength(0);
});
