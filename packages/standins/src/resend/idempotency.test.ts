import { canonicalJson, IDEMPOTENCY_TTL_MS } from "./idempotency";
import { startResendStandin } from "./server";
import type { ResendStandin } from "./types";
import { waitUntil as waitFor } from "../wait-until";

const email = { from: "noreply@callastar.test", to: "fan@example.com", subject: "Hi", html: "<p>Hi</p>" };

let clock = Date.parse("2025-01-15T12:00:00Z");
let standin: ResendStandin;

function send(body: unknown, key?: string, endpoint: "/emails" | "/emails/batch" = "/emails"): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${standin.apiKey}`, "content-type": "application/json" };
  if (key !== undefined) headers["idempotency-key"] = key;
  return fetch(`${standin.url}${endpoint}`, { method: "POST", headers, body: JSON.stringify(body) });
}

beforeEach(async () => {
  clock = Date.parse("2025-01-15T12:00:00Z");
  standin = await startResendStandin({ rateLimitPerSecond: 0, now: () => clock });
});

afterEach(() => standin.close());

it("replays the first answer for the same key and body, marks it, and sends once", async () => {
  const first = await send(email, "reminder:b1:client");
  const { id } = (await first.json()) as { id: string };
  expect(first.headers.get("idempotent-replayed")).toBeNull();
  const second = await send({ html: email.html, subject: email.subject, to: email.to, from: email.from }, "reminder:b1:client");
  expect(second.status).toBe(200);
  expect(second.headers.get("idempotent-replayed")).toBe("true");
  expect(await second.json()).toEqual({ id });
  expect(standin.deliveries).toHaveLength(1);
  expect(standin.replays).toEqual(["reminder:b1:client"]);
});

it("accepts a send whose client went away while it was in flight, and replays it to the client's retry", async () => {
  standin.setFaults({ slowMs: 300 });
  const gone = new AbortController();
  const first = fetch(`${standin.url}/emails`, {
    method: "POST",
    headers: { authorization: `Bearer ${standin.apiKey}`, "content-type": "application/json", "idempotency-key": "k-gone" },
    body: JSON.stringify(email),
    signal: gone.signal,
  }).catch(() => "aborted");
  await waitFor("the send in flight", () => standin.inFlight === 1);
  gone.abort(); // the client dies before the answer
  expect(await first).toBe("aborted");
  await waitFor("the send accepted and answered", () => standin.inFlight === 0);
  expect(standin.deliveries).toHaveLength(1);
  standin.setFaults({ slowMs: 0 });
  const retry = await send(email, "k-gone");
  expect(retry.headers.get("idempotent-replayed")).toBe("true");
  expect(standin.deliveries).toHaveLength(1);
  expect(standin.replays).toEqual(["k-gone"]);
  standin.reset();
  expect(standin.replays).toEqual([]);
});

it("accepts keys of 256 characters and refuses longer or empty ones with 400 invalid_idempotency_key", async () => {
  expect((await send(email, "x".repeat(256))).status).toBe(200);
  const long = await send(email, "y".repeat(257));
  expect(long.status).toBe(400);
  expect(await long.json()).toMatchObject({ statusCode: 400, name: "invalid_idempotency_key" });
  expect((await send(email, "")).status).toBe(400);
  expect(standin.deliveries).toHaveLength(1);
});

it("forgets a key after 24 hours", async () => {
  await send(email, "k");
  clock += IDEMPOTENCY_TTL_MS - 1;
  await send(email, "k");
  expect(standin.deliveries).toHaveLength(1);
  clock += 1;
  const later = await send({ ...email, subject: "New body is fine now" }, "k");
  expect(later.status).toBe(200);
  expect(standin.deliveries).toHaveLength(2);
});

it("does not store failures: a retry after a 422 or a 500 runs again under the same key", async () => {
  expect((await send({ ...email, to: undefined }, "k")).status).toBe(422);
  standin.setFaults({ failNext: 1 });
  expect((await send(email, "k")).status).toBe(500);
  expect((await send(email, "k")).status).toBe(200);
  expect(standin.deliveries).toHaveLength(1);
});

it("compares bodies by content, not key order", () => {
  expect(canonicalJson({ b: 1, a: [{ y: 2, x: 1 }], c: undefined })).toBe(canonicalJson({ a: [{ x: 1, y: 2 }], b: 1 }));
  expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: "1" }));
});

// Resend's semantics, the same on both endpoints that take a key
// (https://resend.com/docs/dashboard/emails/idempotency-keys).
describe.each([
  ["/emails", email, { ...email, subject: "Other" }, 1],
  ["/emails/batch", [email, { ...email, to: "star@example.com" }], [email, { ...email, to: "other@example.com" }], 2],
] as const)("POST %s", (endpoint, body, otherBody, emails) => {
  it("the same key and body within 24 h: the stored answer, nothing sent again", async () => {
    const first = await send(body, "k", endpoint);
    const firstAnswer: unknown = await first.json();
    clock += IDEMPOTENCY_TTL_MS - 1;
    const again = await send(body, "k", endpoint);
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await again.json()).toEqual(firstAnswer);
    expect(standin.deliveries).toHaveLength(emails);
    expect(standin.replays).toEqual(["k"]);
  });

  it("the same key with another body: 409 invalid_idempotent_request, nothing sent", async () => {
    await send(body, "k", endpoint);
    const res = await send(otherBody, "k", endpoint);
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({
      statusCode: 409,
      name: "invalid_idempotent_request",
      message: "Same idempotency key used with a different request payload.",
    });
    expect(standin.deliveries).toHaveLength(emails);
  });

  it("the same key while the first request is still in flight: 409 concurrent_idempotent_requests, then the first answer", async () => {
    standin.setFaults({ slowMs: 300 });
    const first = send(body, "k", endpoint);
    await waitFor("the first request in flight", () => standin.inFlight === 1);
    const second = await send(body, "k", endpoint);
    expect(second.status).toBe(409);
    expect(await second.json()).toMatchObject({ statusCode: 409, name: "concurrent_idempotent_requests" });
    const firstAnswer: unknown = await (await first).json();
    standin.setFaults({ slowMs: 0 });
    const retry = await send(body, "k", endpoint);
    expect(await retry.json()).toEqual(firstAnswer);
    expect(standin.deliveries).toHaveLength(emails);
  });
});
