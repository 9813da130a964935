import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Resend } from "resend";
import { PermanentError, RateLimitedError, TransientError } from "@callastar/errors";
import { startResendStandin, type ResendStandin } from "@callastar/standins";
import { waitFor } from "@callastar/testing";
import { renderEmail } from "../render";
import { createResendTransport, sendsAlone } from "./resend";
import type { MailMessage, MailTransport } from "./types";

const message: MailMessage = {
  from: "Call a Star <noreply@callastar.test>",
  to: "fan@example.com",
  subject: "🕒 Reminder: Your call is starting soon!",
  html: "<p>Your call is starting soon</p>",
  text: "Your call is starting soon",
  replyTo: "support@callastar.test",
  tags: [{ name: "template", value: "booking_reminder_client" }],
};

let standin: ResendStandin;
let transport: MailTransport;

beforeEach(async () => {
  standin = await startResendStandin({ rateLimitPerSecond: 0 });
  transport = createResendTransport({ apiKey: standin.apiKey, baseUrl: standin.url, timeoutMs: 2000 });
});

afterEach(() => standin.close());

async function failure(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(outcome instanceof Error)) throw new Error("expected the send to fail");
  return outcome;
}

it("delivers through the real SDK with the idempotency key", async () => {
  const { id } = await transport.send(message, { idempotencyKey: "reminder:b1:client" });
  expect(transport.name).toBe("resend");
  expect(standin.deliveries).toHaveLength(1);
  const delivery = standin.deliveries[0];
  expect(delivery).toMatchObject({
    id,
    from: message.from,
    to: ["fan@example.com"],
    subject: message.subject,
    html: message.html,
    text: message.text,
    replyTo: ["support@callastar.test"],
    tags: message.tags,
    idempotencyKey: "reminder:b1:client",
  });
  expect(delivery?.headers["user-agent"]).toMatch(/^resend-node:/);
});

it("sends a rendered reminder intact", async () => {
  const email = await renderEmail({
    template: "booking_reminder_client",
    props: {
      recipientName: "John Doe",
      creatorName: "Jane Creator",
      callDateTime: "2025-01-15T14:30:00Z",
      timeZone: "Europe/Paris",
      bookingUrl: "https://callastar.com/bookings/clx1",
    },
  });
  await transport.send({ from: message.from, to: "john@example.com", ...email }, { idempotencyKey: "reminder:clx1:client" });
  expect(standin.deliveries[0]?.html).toBe(email.html);
  expect(standin.deliveries[0]?.subject).toBe("🕒 Reminder: Your call is starting soon!");
});

it("delivers once when the same key is sent twice, and returns the same id", async () => {
  const first = await transport.send(message, { idempotencyKey: "k1" });
  const second = await transport.send(message, { idempotencyKey: "k1" });
  expect(second.id).toBe(first.id);
  expect(standin.deliveries).toHaveLength(1);
});

it("turns 429 into RateLimitedError carrying retry-after", async () => {
  standin.setFaults({ rateLimitNext: 1, retryAfterSeconds: 7 });
  const error = await failure(transport.send(message, { idempotencyKey: "k" }));
  expect(error).toBeInstanceOf(RateLimitedError);
  expect((error as RateLimitedError).retryAfterMs).toBe(7000);
  expect((error as RateLimitedError).status).toBe(429);
  expect(error.cause).toMatchObject({ name: "rate_limit_exceeded", statusCode: 429 });
});

it("turns 500 into TransientError, and the retry with the same key delivers once", async () => {
  standin.setFaults({ failNext: 1 });
  const error = await failure(transport.send(message, { idempotencyKey: "k" }));
  expect(error).toBeInstanceOf(TransientError);
  expect(error).toMatchObject({ status: 500, code: "internal_server_error" });
  await transport.send(message, { idempotencyKey: "k" });
  expect(standin.deliveries).toHaveLength(1);
});

it("turns 422 into PermanentError naming the field", async () => {
  const error = await failure(transport.send({ ...message, to: [] }, { idempotencyKey: "k" }));
  expect(error).toBeInstanceOf(PermanentError);
  expect(error).toMatchObject({ status: 422, code: "missing_required_field" });
  expect(error.message).toContain("`to`");
  expect(error.cause).toMatchObject({ statusCode: 422 });
});

it("turns a wrong API key into PermanentError", async () => {
  const wrong = createResendTransport({ apiKey: "re_wrong", baseUrl: standin.url });
  const error = await failure(wrong.send(message, { idempotencyKey: "k" }));
  expect(error).toBeInstanceOf(PermanentError);
  expect(error).toMatchObject({ status: 403, code: "invalid_api_key" });
  expect(error.message).not.toContain("re_wrong");
});

it("turns the same key with another body into PermanentError (retrying cannot help)", async () => {
  await transport.send(message, { idempotencyKey: "k" });
  const error = await failure(transport.send({ ...message, subject: "Other" }, { idempotencyKey: "k" }));
  expect(error).toBeInstanceOf(PermanentError);
  expect(error).toMatchObject({ status: 409, code: "invalid_idempotent_request" });
});

it("turns a concurrent request with the same key into TransientError", async () => {
  standin.setFaults({ slowMs: 300 });
  const first = transport.send(message, { idempotencyKey: "k" });
  await waitFor("the first send in flight", () => standin.inFlight === 1);
  const error = await failure(transport.send(message, { idempotencyKey: "k" }));
  expect(error).toBeInstanceOf(TransientError);
  expect(error).toMatchObject({ status: 409, code: "concurrent_idempotent_requests" });
  await first;
  expect(standin.deliveries).toHaveLength(1);
});

it("sent but the answer was lost: TransientError, and the retry with the same key still delivers exactly once", async () => {
  standin.setFaults({ dropAfterAcceptNext: 1 });
  const error = await failure(transport.send(message, { idempotencyKey: "reminder:b2:client" }));
  expect(error).toBeInstanceOf(TransientError);
  expect(error).toMatchObject({ code: "network_error", status: undefined });
  expect(error.cause).toMatchObject({ name: "application_error", statusCode: null });
  expect(standin.deliveries).toHaveLength(1);
  const { id } = await transport.send(message, { idempotencyKey: "reminder:b2:client" });
  expect(id).toBe(standin.deliveries[0]?.id);
  expect(standin.deliveries).toHaveLength(1);
});

it("turns a connection dropped before acceptance into TransientError with nothing sent", async () => {
  standin.setFaults({ dropNext: 1 });
  expect(await failure(transport.send(message, { idempotencyKey: "k" }))).toBeInstanceOf(TransientError);
  expect(standin.deliveries).toHaveLength(0);
});

it("times out a slow answer as TransientError", async () => {
  const impatient = createResendTransport({ apiKey: standin.apiKey, baseUrl: standin.url, timeoutMs: 100 });
  standin.setFaults({ slowMs: 500 });
  const error = await failure(impatient.send(message, { idempotencyKey: "k" }));
  expect(error).toBeInstanceOf(TransientError);
  expect(error).toMatchObject({ code: "timeout" });
  expect(error.message).toContain("100 ms");
});

it("refuses a missing or oversized idempotency key before calling Resend", async () => {
  await expect(transport.send(message, { idempotencyKey: "" })).rejects.toBeInstanceOf(PermanentError);
  await expect(transport.send(message, { idempotencyKey: "x".repeat(257) })).rejects.toBeInstanceOf(PermanentError);
  expect(standin.requests).toBe(0);
});

it("refuses an empty API key at construction (the SDK would read the environment instead)", () => {
  expect(() => createResendTransport({ apiKey: "" })).toThrow(/apiKey/);
});

describe("against the default 2 requests/s limit", () => {
  let limited: ResendStandin;
  beforeEach(async () => {
    limited = await startResendStandin();
  });
  afterEach(() => limited.close());

  it("a sender that waits retryAfterMs on RateLimitedError stays within 2/s and delivers everything once", async () => {
    const t = createResendTransport({ apiKey: limited.apiKey, baseUrl: limited.url });
    const started = Date.now();
    let rateLimited = 0;
    for (let i = 0; i < 5; i++) {
      for (;;) {
        try {
          await t.send({ ...message, to: `fan${i}@example.com` }, { idempotencyKey: `k${i}` });
          break;
        } catch (error) {
          if (!(error instanceof RateLimitedError)) throw error;
          expect(error.retryAfterMs).toBe(1000);
          rateLimited += 1;
          await new Promise((resolve) => setTimeout(resolve, error.retryAfterMs));
        }
      }
    }
    expect(limited.deliveries.map((d) => d.to[0])).toEqual(["fan0@example.com", "fan1@example.com", "fan2@example.com", "fan3@example.com", "fan4@example.com"]);
    expect(rateLimited).toBeGreaterThanOrEqual(2);
    // 5 sends at 2/s need at least two full windows.
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    const times = limited.deliveries.map((d) => Date.parse(d.receivedAt));
    for (let i = 2; i < times.length; i++) expect((times[i] ?? 0) - (times[i - 2] ?? 0)).toBeGreaterThanOrEqual(1000);
  });
});

describe("sendBatch", () => {
  const other: MailMessage = { ...message, to: "star@example.com", subject: "For the creator" };
  const encoded = (messages: MailMessage[]) => transport.encodeBatch!(messages);
  const toSdk = (m: MailMessage) => ({ from: m.from, to: m.to, subject: m.subject, html: m.html, text: m.text, replyTo: m.replyTo, tags: m.tags });

  it("delivers every email of the batch in one request, ids in order, once per key", async () => {
    const { ids } = await transport.sendBatch!(encoded([message, other]), { idempotencyKey: "booking_reminder:b1" });
    expect(standin.requests).toBe(1);
    expect(standin.deliveries.map((d) => d.id)).toEqual(ids);
    expect(standin.deliveries.map((d) => d.to)).toEqual([["fan@example.com"], ["star@example.com"]]);
    expect(standin.deliveries.every((d) => d.endpoint === "/emails/batch" && d.idempotencyKey === "booking_reminder:b1")).toBe(true);
    const again = await transport.sendBatch!(encoded([message, other]), { idempotencyKey: "booking_reminder:b1" });
    expect(again.ids).toEqual(ids);
    expect(standin.deliveries).toHaveLength(2);
  });

  it("refuses the whole batch when one email is invalid (strict validation), sending nothing", async () => {
    const error = await failure(transport.sendBatch!(encoded([message, { ...other, to: [] }]), { idempotencyKey: "k-batch" }));
    expect(error).toBeInstanceOf(PermanentError);
    expect(error.message).toContain("emails[1]");
    expect(standin.deliveries).toHaveLength(0);
  });

  it("permissive validation sends the valid emails and names the refused one by index; a retry is replayed, another body refused", async () => {
    const bad = { ...other, to: "not-an-address" };
    const first = await transport.sendBatch!(encoded([message, bad, other]), { idempotencyKey: "k-perm", permissive: true });
    expect(first.ids[1]).toBeNull();
    expect(first.ids.filter(Boolean)).toHaveLength(2);
    expect(first.errors).toEqual([{ index: 1, message: expect.stringContaining("`to`") }]);
    expect(standin.deliveries.map((d) => d.id)).toEqual([first.ids[0], first.ids[2]]);
    expect(standin.deliveries[0]!.headers["x-batch-validation"]).toBe("permissive");
    // The same key and body (a retry after a crash): Resend's answer again, nothing sent again.
    expect(await transport.sendBatch!(encoded([message, bad, other]), { idempotencyKey: "k-perm", permissive: true })).toEqual(first);
    expect(standin.deliveries).toHaveLength(2);
    expect(standin.replays).toEqual(["k-perm"]);
    // The same key with other content can never succeed: 409 invalid_idempotent_request.
    const conflict = await failure(transport.sendBatch!(encoded([message, other]), { idempotencyKey: "k-perm", permissive: true }));
    expect(conflict).toBeInstanceOf(PermanentError);
    expect(conflict.message).toContain("invalid_idempotent_request");
  });

  it("classifies a 429 and a 500 like a single send", async () => {
    standin.setFaults({ rateLimitNext: 1, retryAfterSeconds: 3 });
    const limited = await failure(transport.sendBatch!(encoded([message, other]), { idempotencyKey: "k-b" }));
    expect(limited).toBeInstanceOf(RateLimitedError);
    expect((limited as RateLimitedError).retryAfterMs).toBe(3000);
    standin.setFaults({ failNext: 1 });
    expect(await failure(transport.sendBatch!(encoded([message, other]), { idempotencyKey: "k-b" }))).toBeInstanceOf(TransientError);
    await transport.sendBatch!(encoded([message, other]), { idempotencyKey: "k-b" });
    expect(standin.deliveries).toHaveLength(2);
  });

  it("refuses to batch an email Resend's batch endpoint refuses (attachments, scheduled_at), and sends it alone with them", async () => {
    const attached = { ...message, attachments: [{ filename: "receipt.txt", content: Buffer.from("paid").toString("base64") }] };
    const scheduled = { ...message, scheduledAt: "2030-01-01T09:00:00Z" };
    expect([attached, scheduled, message].map(sendsAlone)).toEqual(["attachments", "scheduled_at", null]);
    expect(() => transport.encodeBatch!([message, attached])).toThrow(/refuses attachments: send this email alone/);
    expect(() => transport.encodeBatch!([scheduled])).toThrow(PermanentError);
    expect(standin.requests).toBe(0);
    await transport.send(attached, { idempotencyKey: "k-attached" });
    expect(standin.deliveries.map((d) => d.endpoint)).toEqual(["/emails"]);
  });

  it("refuses an empty or oversized batch before any request", async () => {
    expect(() => transport.encodeBatch!([])).toThrow(PermanentError);
    expect(() => transport.encodeBatch!(Array.from({ length: 101 }, () => message))).toThrow(PermanentError);
    expect(await failure(transport.sendBatch!({ body: "[]", count: 0 }, { idempotencyKey: "k" }))).toBeInstanceOf(PermanentError);
    expect(standin.requests).toBe(0);
  });

  it("encodes exactly the bytes the SDK's batch.send puts on the wire, and sends an encoded body verbatim", async () => {
    const bodies: string[] = [];
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => {
        bodies.push(body);
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ data: [{ id: "a" }, { id: "b" }] }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const sdk = new Resend("re_test", { baseUrl });
      const plain = { ...other, replyTo: undefined, tags: undefined };
      await sdk.batch.send([toSdk(message), toSdk(plain)], { idempotencyKey: "k-sdk" });
      const local = createResendTransport({ apiKey: "re_test", baseUrl });
      const batch = local.encodeBatch!([message, plain]);
      expect(batch.body).toBe(bodies[0]);
      // A stored body is sent as it is, even one another encoder would have written differently.
      const stored = { body: ` ${batch.body}`, count: 2 };
      expect((await local.sendBatch!(stored, { idempotencyKey: "k-stored" })).ids).toEqual(["a", "b"]);
      expect(bodies[1]).toBe(stored.body);
    } finally {
      // fetch keeps its socket alive: close it with the server.
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
  });
});
