import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace";
import { startDailyStandin, type DailyStandin } from "@callastar/standins/daily";
import { startStripeStandin, type StripeStandin } from "@callastar/standins/stripe";
import { startTracing, type Tracing } from "@callastar/tracing";
import { inSpan } from "@callastar/tracing/testing";
import { createDailyClient } from "./daily";
import { createStripePayouts } from "./stripe";

// The Daily client (fetch) and the Stripe SDK (node:http) get CLIENT spans under the job's span
// when tracing is on: one per HTTP request, retries included, with the answer's status.
let daily: DailyStandin;
let stripe: StripeStandin;
let tracing: Tracing;
const exporter = new InMemorySpanExporter();

beforeAll(async () => {
  daily = await startDailyStandin({ domain: "callastar" });
  stripe = await startStripeStandin();
  tracing = startTracing({ spanProcessors: [new SimpleSpanProcessor({ exporter: exporter })] }, { serviceName: "integrations-test" });
});
afterAll(async () => {
  await tracing.shutdown();
  await daily.close();
  await stripe.close();
});

const clientSpans = () => exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.CLIENT);

it("traces the Daily room deletion, a 404 included, under the job's span", async () => {
  exporter.reset();
  const client = createDailyClient({ apiKey: daily.apiKey, baseUrl: daily.url, domain: daily.domain, timeoutMs: 2000 });
  const room = await client.createRoom({ bookingId: "clxtrace000000000000000001" });
  expect(clientSpans()).toHaveLength(0); // outside a trace: no span
  const { result, span: job } = await inSpan("job", async () => [await client.deleteRoom(room.name), await client.deleteRoom(room.name)]);
  expect(result).toEqual([{ status: "deleted" }, { status: "already_deleted" }]);
  const spans = clientSpans();
  expect(spans.map((s) => [s.name, s.attributes["url.full"], s.attributes["http.response.status_code"]])).toEqual([
    ["DELETE", `${daily.url}/rooms/${room.name}`, 200],
    ["DELETE", `${daily.url}/rooms/${room.name}`, 404],
  ]);
  for (const s of spans) expect(s.parentSpanContext).toMatchObject({ traceId: job.traceId, spanId: job.spanId });
});

it("traces each Stripe request, the SDK's retry after a 500 included, under the job's span", async () => {
  exporter.reset();
  stripe.setFaults({ failNext: 1 });
  const payouts = createStripePayouts({ secretKey: stripe.secretKey, apiBase: stripe.url });
  const { result, span: job } = await inSpan("job", () => payouts.createTransfer({ payoutId: "po_trace", amount: 900, currency: "EUR", destination: "acct_trace" }));
  expect(result.id).toBe(stripe.transfers[0]?.id);
  const spans = clientSpans();
  expect(spans.map((s) => [s.name, s.attributes["url.full"], s.attributes["http.response.status_code"], s.status.code])).toEqual([
    ["POST", `${stripe.url}/v1/transfers`, 500, SpanStatusCode.ERROR],
    ["POST", `${stripe.url}/v1/transfers`, 200, SpanStatusCode.UNSET],
  ]);
  for (const s of spans) expect(s.parentSpanContext).toMatchObject({ traceId: job.traceId, spanId: job.spanId });
});
