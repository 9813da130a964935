// NodeHttpResend must answer exactly what the stock SDK (over fetch) answers, for every outcome the
// transport classifies: the same request reaches the stand-in, the same `{ data, error }` comes back.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Resend } from "resend";
import { startResendStandin, type ResendStandin } from "@callastar/standins";
import { NodeHttpResend } from "./resend-node-http";

let standin: ResendStandin;
let stock: Resend;
let lean: NodeHttpResend;

beforeEach(async () => {
  standin = await startResendStandin({ rateLimitPerSecond: 0 });
  stock = new Resend(standin.apiKey, { baseUrl: standin.url });
  lean = new NodeHttpResend(standin.apiKey, { baseUrl: standin.url });
});

afterEach(async () => {
  lean.close();
  await standin.close();
});

const email = (n: number) => ({
  from: "Call a Star <noreply@callastar.test>",
  to: "fan@example.com",
  subject: `🕒 Reminder ${n}: Your call is starting soon!`,
  html: `<p>é ${"x".repeat(5000)}</p>`,
  text: "Your call is starting soon",
});

// Response headers differ in date and request id; compare the ones the transport reads.
const comparable = (r: { data: unknown; error: unknown; headers: Record<string, string> | null }) => ({
  dataKeys: r.data && typeof r.data === "object" ? Object.keys(r.data).sort() : r.data,
  error: r.error,
  retryAfter: r.headers?.["retry-after"],
  contentType: r.headers?.["content-type"],
  hasHeaders: r.headers !== null,
});

it("sends the same request as the SDK over fetch", async () => {
  await stock.emails.send(email(1), { idempotencyKey: "k-stock" });
  await lean.emails.send(email(1), { idempotencyKey: "k-lean" });
  const [a, b] = standin.deliveries;
  const { id: _a, receivedAt: _ra, idempotencyKey: ka, headers: ha, ...restA } = a!;
  const { id: _b, receivedAt: _rb, idempotencyKey: kb, headers: hb, ...restB } = b!;
  expect(restB).toEqual(restA);
  expect([ka, kb]).toEqual(["k-stock", "k-lean"]);
  const pick = (h: Record<string, string>) => ({ ua: h["user-agent"], type: h["content-type"] });
  expect(pick(hb)).toEqual(pick(ha));
});

it.each([
  ["success", {}],
  ["a 429 with retry-after", { rateLimitNext: 1, retryAfterSeconds: 7 }],
  ["a 5xx", { failNext: 1 }],
  ["a dropped connection", { dropNext: 1 }],
] as const)("answers %s as the SDK does", async (_label, faults) => {
  standin.setFaults(faults);
  const viaFetch = await stock.emails.send(email(2), { idempotencyKey: "same-1" });
  standin.setFaults(faults);
  const viaHttp = await lean.emails.send(email(2), { idempotencyKey: "same-2" });
  expect(comparable(viaHttp)).toEqual(comparable(viaFetch));
});

it("answers an API error (bad key) as the SDK does", async () => {
  const wrongStock = new Resend("re_wrong", { baseUrl: standin.url });
  const wrongLean = new NodeHttpResend("re_wrong", { baseUrl: standin.url });
  try {
    expect(comparable(await wrongLean.emails.send(email(3)))).toEqual(comparable(await wrongStock.emails.send(email(3))));
  } finally {
    wrongLean.close();
  }
});

it("reports a timeout (aborted signal) as an unreachable API, like the SDK", async () => {
  standin.setFaults({ slowMs: 400 });
  const viaFetch = await stock.emails.send(email(4), { idempotencyKey: "t-1", signal: AbortSignal.timeout(50) });
  const viaHttp = await lean.emails.send(email(4), { idempotencyKey: "t-2", signal: AbortSignal.timeout(50) });
  expect(viaHttp.error).toEqual(viaFetch.error);
  expect(viaHttp.error?.statusCode).toBeNull();
});

describe("answers that are not JSON", () => {
  let server: Server;
  let status = 200;
  let url = "";
  beforeEach(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on("end", () => res.writeHead(status, { "content-type": "text/html" }).end("<html>bad gateway</html>"));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it.each([502, 200])("status %i", async (code) => {
    status = code;
    const httpClient = new NodeHttpResend("re_x", { baseUrl: url });
    try {
      const viaFetch = await new Resend("re_x", { baseUrl: url }).emails.send(email(5));
      const viaHttp = await httpClient.emails.send(email(5));
      expect(comparable(viaHttp)).toEqual(comparable(viaFetch));
    } finally {
      httpClient.close();
    }
  });
});

describe("a kept-alive socket the server closed while idle", () => {
  // The race seen in the reminders benchmark: the server ends an idle keep-alive socket just as the
  // client reuses it. Here the server resets every socket on its second request, deterministically.
  let server: Server;
  let url = "";
  let accepted = 0;
  beforeEach(async () => {
    accepted = 0;
    server = createServer((req, res) => {
      const socket = req.socket as typeof req.socket & { served?: number };
      socket.served = (socket.served ?? 0) + 1;
      if (socket.served > 1) {
        socket.destroy();
        return;
      }
      req.resume();
      req.on("end", () => {
        accepted++;
        res.writeHead(200, { "content-type": "application/json" }).end(`{"id":"id-${accepted}"}`);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("a send with an Idempotency-Key is sent again on a fresh socket, once", async () => {
    const client = new NodeHttpResend("re_x", { baseUrl: url });
    try {
      expect((await client.emails.send(email(6), { idempotencyKey: "a" })).data).toEqual({ id: "id-1" });
      expect((await client.emails.send(email(7), { idempotencyKey: "b" })).data).toEqual({ id: "id-2" });
      expect(accepted).toBe(2);
    } finally {
      client.close();
    }
  });

  it("a send without a key is not replayed: it reports the API unreachable, as the SDK would", async () => {
    const client = new NodeHttpResend("re_x", { baseUrl: url });
    try {
      await client.emails.send(email(8));
      const second = await client.emails.send(email(9));
      expect(second.error).toMatchObject({ name: "application_error", statusCode: null });
      expect(accepted).toBe(1);
    } finally {
      client.close();
    }
  });
});
