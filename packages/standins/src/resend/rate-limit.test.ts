import { SlidingWindowLimiter } from "./rate-limiter";
import { startResendStandin } from "./server";
import type { ResendStandin } from "./types";

const email = { from: "noreply@callastar.test", to: "fan@example.com", subject: "Hi", text: "Hi" };
let standin: ResendStandin | undefined;
afterEach(async () => {
  await standin?.close();
  standin = undefined;
});

function send(s: ResendStandin, key = s.apiKey): Promise<Response> {
  return fetch(`${s.url}/emails`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify(email),
  });
}

it("allows 2 requests per second by default, then 429 with retry-after and ratelimit headers", async () => {
  standin = await startResendStandin();
  const first = await send(standin);
  expect(first.status).toBe(200);
  expect(first.headers.get("ratelimit-limit")).toBe("2");
  expect(first.headers.get("ratelimit-remaining")).toBe("1");
  expect((await send(standin)).status).toBe(200);
  const limited = await send(standin);
  expect(limited.status).toBe(429);
  expect(limited.headers.get("retry-after")).toBe("1");
  expect(limited.headers.get("ratelimit-remaining")).toBe("0");
  expect(limited.headers.get("ratelimit-reset")).toBe("1");
  expect(await limited.json()).toMatchObject({ statusCode: 429, name: "rate_limit_exceeded" });
  expect(standin.deliveries).toHaveLength(2);
  // Until the first slot frees, every try is refused; then one goes through (the window's exact
  // edge is the unit test below).
  let status = 429;
  for (let tries = 0; status === 429 && tries < 100; tries++) {
    status = (await send(standin)).status;
    if (status === 429) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(status).toBe(200);
  expect(standin.deliveries).toHaveLength(3);
});

it("logs every API request: when the window counted it, when it was answered, its status and key", async () => {
  standin = await startResendStandin();
  for (let i = 0; i < 3; i++) await (await send(standin)).arrayBuffer();
  const log = standin.requestLog;
  expect(log.map((r) => [r.endpoint, r.status, r.idempotencyKey])).toEqual([
    ["/emails", 200, null],
    ["/emails", 200, null],
    ["/emails", 429, null],
  ]);
  for (const r of log) {
    expect(r.startedAt).toBeLessThanOrEqual(r.countedAt);
    expect(r.countedAt).toBeLessThanOrEqual(r.answeredAt);
  }
  standin.reset();
  expect(standin.requestLog).toHaveLength(0);
});

it("counts per team: two keys of one team share one window", async () => {
  standin = await startResendStandin({ teamKeys: ["re_second_key"] });
  expect((await send(standin)).status).toBe(200);
  const second = await send(standin, "re_second_key");
  expect(second.status).toBe(200);
  expect(second.headers.get("ratelimit-remaining")).toBe("0");
  const limited = await send(standin, "re_second_key");
  expect(limited.status).toBe(429);
  expect(limited.headers.get("retry-after")).toBe("1");
  expect((await send(standin, "re_other_team")).status).toBe(403);
});

it("is off with rateLimitPerSecond: 0", async () => {
  standin = await startResendStandin({ rateLimitPerSecond: 0 });
  const statuses = await Promise.all(Array.from({ length: 10 }, () => send(standin as ResendStandin).then((r) => r.status)));
  expect(statuses.every((s) => s === 200)).toBe(true);
});

it("slides: a slot frees exactly one window after the request that took it", () => {
  let now = 0;
  const limiter = new SlidingWindowLimiter(2, () => now);
  expect(limiter.take("k").allowed).toBe(true);
  now = 600;
  expect(limiter.take("k").allowed).toBe(true);
  now = 999;
  expect(limiter.take("k")).toMatchObject({ allowed: false, resetSeconds: 1 });
  now = 1000;
  expect(limiter.take("k").allowed).toBe(true);
  now = 1500;
  expect(limiter.take("k").allowed).toBe(false);
  expect(limiter.take("other").allowed).toBe(true);
});
