import { parseFaults, seededRandom } from "./faults";
import { startResendStandin } from "./server";
import type { ResendStandin, ResendStandinOptions } from "./types";

const email = { from: "noreply@callastar.test", to: "fan@example.com", subject: "Hi", html: "<p>Hi</p>" };
const open: ResendStandin[] = [];

async function start(options: ResendStandinOptions = {}): Promise<ResendStandin> {
  const s = await startResendStandin({ rateLimitPerSecond: 0, ...options });
  open.push(s);
  return s;
}

function send(standin: ResendStandin, key?: string): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${standin.apiKey}`, "content-type": "application/json" };
  if (key) headers["idempotency-key"] = key;
  return fetch(`${standin.url}/emails`, { method: "POST", headers, body: JSON.stringify(email) });
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

it("failNext answers 500 internal_server_error n times, then recovers", async () => {
  const standin = await start({ faults: { failNext: 2 } });
  const statuses = [];
  for (let i = 0; i < 3; i++) statuses.push((await send(standin)).status);
  expect(statuses).toEqual([500, 500, 200]);
  expect(standin.deliveries).toHaveLength(1);
  expect(standin.requests).toBe(3);
});

it("the 500 body is Resend's", async () => {
  const standin = await start({ faults: { failNext: 1 } });
  expect(await (await send(standin)).json()).toEqual({ statusCode: 500, name: "internal_server_error", message: "An unexpected error occurred." });
});

it("rateLimitNext answers 429 with the configured retry-after", async () => {
  const standin = await start();
  standin.setFaults({ rateLimitNext: 1, retryAfterSeconds: 3 });
  const res = await send(standin);
  expect(res.status).toBe(429);
  expect(res.headers.get("retry-after")).toBe("3");
  expect(res.headers.get("ratelimit-remaining")).toBe("0");
  expect(await res.json()).toMatchObject({ statusCode: 429, name: "rate_limit_exceeded" });
  expect((await send(standin)).status).toBe(200);
});

it("dropNext destroys the socket without recording anything", async () => {
  const standin = await start({ faults: { dropNext: 1 } });
  await expect(send(standin)).rejects.toThrow();
  expect(standin.deliveries).toHaveLength(0);
  expect((await send(standin)).status).toBe(200);
});

it("dropAfterAcceptNext records the email, then drops; the retry with the same key replays it", async () => {
  const standin = await start({ faults: { dropAfterAcceptNext: 1 } });
  await expect(send(standin, "reminder:b1")).rejects.toThrow();
  expect(standin.deliveries).toHaveLength(1);
  const retry = await send(standin, "reminder:b1");
  expect(retry.status).toBe(200);
  expect(await retry.json()).toEqual({ id: standin.deliveries[0]?.id });
  expect(standin.deliveries).toHaveLength(1);
});

it("slowMs delays each answer", async () => {
  const standin = await start({ faults: { slowMs: 200 } });
  const started = Date.now();
  expect((await send(standin)).status).toBe(200);
  expect(Date.now() - started).toBeGreaterThanOrEqual(190);
});

it("failRate follows the seed, so a run can be reproduced", async () => {
  const outcomes = async (seed: number): Promise<number[]> => {
    const standin = await start({ seed, faults: { failRate: 0.5 } });
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await send(standin)).status);
    return statuses;
  };
  const a = await outcomes(42);
  expect(await outcomes(42)).toEqual(a);
  expect(a).toContain(500);
  expect(a).toContain(200);
});

it("the PRNG is uniform enough in [0, 1)", () => {
  const next = seededRandom(7);
  const draws = Array.from({ length: 10_000 }, next);
  expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
  expect(Math.max(...draws)).toBeLessThan(1);
  const mean = draws.reduce((s, v) => s + v, 0) / draws.length;
  expect(mean).toBeGreaterThan(0.45);
  expect(mean).toBeLessThan(0.55);
});

it("parseFaults names the bad field", () => {
  expect(() => parseFaults({ failRate: 2 })).toThrow(/failRate/);
  expect(() => parseFaults({ failNext: -1 })).toThrow(/failNext/);
  expect(() => parseFaults({ explode: 1 })).toThrow(/explode/);
  expect(parseFaults({ slowMs: 10 })).toEqual({ slowMs: 10 });
});
