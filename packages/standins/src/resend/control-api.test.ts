import { startResendStandin } from "./server";
import type { ResendStandin } from "./types";

let standin: ResendStandin;
beforeEach(async () => {
  standin = await startResendStandin({ rateLimitPerSecond: 0 });
});
afterEach(() => standin.close());

const send = (): Promise<Response> =>
  fetch(`${standin.url}/emails`, {
    method: "POST",
    headers: { authorization: `Bearer ${standin.apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({ from: "noreply@callastar.test", to: "fan@example.com", subject: "Hi", text: "Hi" }),
  });

it("sets faults, lists deliveries and resets over HTTP", async () => {
  const set = await fetch(`${standin.url}/_standin/faults`, { method: "POST", body: JSON.stringify({ failNext: 1 }) });
  expect(set.status).toBe(200);
  expect(await set.json()).toEqual({ faults: { failNext: 1 } });
  expect((await send()).status).toBe(500);
  expect((await send()).status).toBe(200);

  const listed = (await (await fetch(`${standin.url}/_standin/deliveries`)).json()) as { data: Array<{ id: string }>; requests: number };
  expect(listed.data.map((d) => d.id)).toEqual(standin.deliveries.map((d) => d.id));
  expect(listed.requests).toBe(2);

  expect((await fetch(`${standin.url}/_standin/reset`, { method: "POST" })).status).toBe(200);
  expect(standin.deliveries).toHaveLength(0);
  expect(standin.requests).toBe(0);
  expect(standin.getFaults()).toEqual({});
});

it("refuses malformed faults with 400 naming the field", async () => {
  const res = await fetch(`${standin.url}/_standin/faults`, { method: "POST", body: JSON.stringify({ failRate: "often" }) });
  expect(res.status).toBe(400);
  expect(((await res.json()) as { error: string }).error).toMatch(/failRate/);
});

it("does not count control requests as API requests and needs no API key", async () => {
  await fetch(`${standin.url}/_standin/faults`);
  expect(standin.requests).toBe(0);
});

it("close() is idempotent", async () => {
  await standin.close();
  await standin.close();
  await expect(send()).rejects.toThrow();
});
