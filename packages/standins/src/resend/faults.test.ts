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

it("draws 429s, drops before the work and drops after acceptance at the given rates", async () => {
  const standin = await start({ seed: 5, faults: { rateLimitRate: 0.25, dropRate: 0.25, dropAfterAcceptRate: 0.25, retryAfterSeconds: 2 } });
  const outcomes: string[] = [];
  for (let i = 0; i < 40; i += 1) {
    const before = standin.deliveries.length;
    try {
      const res = await send(standin, `adhoc:${i}`);
      if (res.status === 429) expect(res.headers.get("retry-after")).toBe("2");
      outcomes.push(String(res.status));
    } catch {
      outcomes.push(standin.deliveries.length > before ? "lost-answer" : "dropped");
    }
  }
  expect(outcomes).toEqual(expect.arrayContaining(["200", "429", "dropped", "lost-answer"]));
  expect(standin.deliveries).toHaveLength(outcomes.filter((o) => o === "200" || o === "lost-answer").length);
  // "Email accepted, answer lost": the retry with the same key replays it instead of sending again.
  standin.setFaults({ rateLimitRate: 0, dropRate: 0, dropAfterAcceptRate: 0 });
  const made = standin.deliveries.length;
  expect((await send(standin, `adhoc:${outcomes.indexOf("lost-answer")}`)).status).toBe(200);
  expect(standin.deliveries).toHaveLength(made);
});

it("refuses a rate outside 0..1, naming it", () => {
  expect(() => parseFaults({ dropAfterAcceptRate: 2 })).toThrow("fault dropAfterAcceptRate must be a number between 0 and 1");
});
