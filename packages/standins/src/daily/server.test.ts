import { startDailyStandin, type DailyStandin } from "./index";

let daily: DailyStandin;
beforeAll(async () => {
  daily = await startDailyStandin();
});
afterEach(() => daily.reset());
afterAll(() => daily.close());

const call = async (method: string, path: string, body?: unknown, key = daily.apiKey) => {
  const res = await fetch(`${daily.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
};

describe("Daily stand-in: rooms", () => {
  it("creates, reads and deletes a room with Daily's shapes", async () => {
    const created = await call("POST", "/rooms", { name: "call-b1", privacy: "private", properties: { start_audio_off: true } });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      name: "call-b1",
      api_created: true,
      privacy: "private",
      url: "https://callastar.daily.co/call-b1",
      config: { start_audio_off: true },
    });
    expect(typeof created.body.id).toBe("string");
    expect(Number.isNaN(Date.parse(String(created.body.created_at)))).toBe(false);
    expect((await call("GET", "/rooms/call-b1")).body).toEqual(created.body);
    expect(await call("DELETE", "/rooms/call-b1")).toMatchObject({ status: 200, body: { deleted: true, name: "call-b1" } });
    expect(await call("GET", "/rooms/call-b1")).toMatchObject({ status: 404, body: { error: "not-found", info: "room call-b1 was not found" } });
    expect(await call("DELETE", "/rooms/call-b1")).toMatchObject({ status: 404, body: { error: "not-found" } });
    expect(daily.deletions.map((d) => d.name)).toEqual(["call-b1"]);
    expect(daily.creations.map((d) => d.name)).toEqual(["call-b1"]);
  });

  it("generates a valid name when none is given, defaults privacy to public", async () => {
    const created = await call("POST", "/rooms", {});
    expect(created.body.name).toMatch(/^[A-Za-z0-9_-]{1,128}$/);
    expect(created.body.privacy).toBe("public");
  });

  it("refuses duplicates, bad names, bad privacy and bad JSON with Daily's error bodies", async () => {
    await call("POST", "/rooms", { name: "dup" });
    expect(await call("POST", "/rooms", { name: "dup" })).toMatchObject({
      status: 400,
      body: { error: "invalid-request-error", info: "a room named dup already exists" },
    });
    expect((await call("POST", "/rooms", { name: "no spaces" })).status).toBe(400);
    expect((await call("POST", "/rooms", { name: "x".repeat(129) })).status).toBe(400);
    expect((await call("POST", "/rooms", { name: "ok", privacy: "secret" })).status).toBe(400);
    const raw = await fetch(`${daily.url}/rooms`, { method: "POST", headers: { Authorization: `Bearer ${daily.apiKey}` }, body: "{" });
    expect(raw.status).toBe(400);
    expect(await raw.json()).toMatchObject({ error: "json-parsing-error" });
  });

  it("answers 401 authentication-error for a wrong key and 400 without a Bearer header", async () => {
    expect(await call("GET", "/rooms/x", undefined, "wrong")).toMatchObject({ status: 401, body: { error: "authentication-error" } });
    const res = await fetch(`${daily.url}/rooms/x`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: "authorization-header-error" });
  });
});

describe("Daily stand-in: rate limit and faults", () => {
  it("answers 429 rate-limit-error with Retry-After past 2 DELETEs in a second", async () => {
    const answers = await Promise.all(["a", "b", "c", "d"].map((n) => call("DELETE", `/rooms/${n}`)));
    expect(answers.map((a) => a.status).sort()).toEqual([404, 404, 429, 429]);
    const limited = answers.find((a) => a.status === 429);
    expect(limited?.body.error).toBe("rate-limit-error");
    expect(Number(limited?.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  });

  it("never lets more than 2 deletions through in any one-second window", async () => {
    for (let i = 0; i < 6; i += 1) daily.rooms.set(`r${i}`, { id: `${i}`, name: `r${i}`, api_created: true, privacy: "private", url: "", created_at: "", config: {} });
    // A greedy client: retry each 429 after a short pause instead of the advised Retry-After.
    const deadline = Date.now() + 15_000;
    for (let i = 0; i < 6; i += 1) {
      while ((await call("DELETE", `/rooms/r${i}`)).status === 429) {
        if (Date.now() > deadline) throw new Error(`room r${i} still refused after 15 s`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    const times = daily.deletions.map((d) => d.at.getTime());
    expect(times).toHaveLength(6);
    for (let i = 2; i < times.length; i += 1) expect(times[i]! - times[i - 2]!).toBeGreaterThanOrEqual(1000);
  });

  it("does not limit reads, and deleteRatePerSecond 0 turns the limit off", async () => {
    const unlimited = await startDailyStandin({ deleteRatePerSecond: 0 });
    try {
      const res = await Promise.all([1, 2, 3, 4, 5].map((i) =>
        fetch(`${unlimited.url}/rooms/r${i}`, { method: "DELETE", headers: { Authorization: `Bearer ${unlimited.apiKey}` } }),
      ));
      expect(res.map((r) => r.status)).toEqual([404, 404, 404, 404, 404]);
    } finally {
      await unlimited.close();
    }
  });

  it("injects 500s, 429s and dropped sockets, each consumed once", async () => {
    daily.setFaults({ failNext: 1, rateLimitNext: 1, retryAfterSeconds: 7, dropNext: 1 });
    await expect(call("GET", "/rooms/x")).rejects.toThrow();
    const limited = await call("GET", "/rooms/x");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("7");
    expect(await call("GET", "/rooms/x")).toMatchObject({ status: 500, body: { error: "server-error" } });
    expect((await call("GET", "/rooms/x")).status).toBe(404);
  });

  it("refuses GET and DELETE of a name Daily's rule forbids with 400 invalid-request-error", async () => {
    expect(await call("GET", "/rooms/bad%20name!")).toMatchObject({ status: 400, body: { error: "invalid-request-error" } });
    expect(await call("DELETE", `/rooms/${"x".repeat(129)}`)).toMatchObject({ status: 400, body: { error: "invalid-request-error" } });
    expect(daily.deletions).toEqual([]);
  });

  it("carries out a DELETE and loses its answer on dropAfterDeleteNext", async () => {
    await call("POST", "/rooms", { name: "dropped" });
    daily.setFaults({ dropAfterDeleteNext: 1 });
    await expect(call("DELETE", "/rooms/dropped")).rejects.toThrow();
    expect(daily.deletions.map((d) => d.name)).toEqual(["dropped"]);
    expect((await call("DELETE", "/rooms/dropped")).status).toBe(404);
  });

  it("carries out a DELETE and holds its answer on holdDeleteNext until the client gives up", async () => {
    await call("POST", "/rooms", { name: "held" });
    daily.setFaults({ holdDeleteNext: 1 });
    const pending = fetch(`${daily.url}/rooms/held`, {
      method: "DELETE",
      headers: { Authorization: `Bearer ${daily.apiKey}` },
      signal: AbortSignal.timeout(300),
    });
    await expect(pending).rejects.toThrow();
    expect(daily.deletions.map((d) => d.name)).toEqual(["held"]);
    expect(daily.rooms.has("held")).toBe(false);
  });

  it("draws 429s, drops before the work and drops after a delete at the given rates", async () => {
    const unlimited = await startDailyStandin({ deleteRatePerSecond: 0 });
    try {
      const req = (method: string, path: string) =>
        fetch(`${unlimited.url}${path}`, { method, headers: { Authorization: `Bearer ${unlimited.apiKey}`, "Content-Type": "application/json" } });
      for (let i = 0; i < 40; i += 1) {
        await fetch(`http://127.0.0.1:${unlimited.port}/_standin/rooms`, { method: "POST", body: JSON.stringify({ name: `r-${i}` }) });
      }
      unlimited.setFaults({ rateLimitRate: 0.25, dropRate: 0.25, dropAfterDeleteRate: 0.25, retryAfterSeconds: 2, seed: 3 });
      const outcomes: string[] = [];
      for (let i = 0; i < 40; i += 1) {
        const before = unlimited.deletions.length;
        try {
          const res = await req("DELETE", `/rooms/r-${i}`);
          if (res.status === 429) expect(res.headers.get("retry-after")).toBe("2");
          outcomes.push(String(res.status));
        } catch {
          outcomes.push(unlimited.deletions.length > before ? "lost-answer" : "dropped");
        }
      }
      expect(outcomes).toEqual(expect.arrayContaining(["200", "429", "dropped", "lost-answer"]));
      expect(unlimited.deletions).toHaveLength(outcomes.filter((o) => o === "200" || o === "lost-answer").length);
    } finally {
      await unlimited.close();
    }
  });

  it("answers 200 with an HTML body on malformedNext, as a broken proxy would", async () => {
    daily.setFaults({ malformedNext: 1 });
    const res = await fetch(`${daily.url}/rooms/x`, { headers: { Authorization: `Bearer ${daily.apiKey}` } });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/^<html>/);
  });

  it("draws failRate from a seeded PRNG, so a seed repeats its failures", async () => {
    const run = async () => {
      daily.setFaults({ failRate: 0.5, seed: 42 });
      const statuses: number[] = [];
      for (let i = 0; i < 12; i += 1) statuses.push((await call("GET", "/rooms/x")).status);
      return statuses;
    };
    const first = await run();
    expect(first).toContain(500);
    expect(first).toContain(404);
    expect(await run()).toEqual(first);
  });

  it("answers slowly when asked", async () => {
    daily.setFaults({ slowMs: 150 });
    const started = Date.now();
    await call("GET", "/rooms/x");
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });
});

describe("Daily stand-in: control API", () => {
  it("sets faults, seeds rooms, reports state and resets over HTTP", async () => {
    const control = (path: string, body?: unknown) =>
      fetch(`http://127.0.0.1:${daily.port}/_standin${path}`, { method: body === undefined ? "GET" : "POST", body: body === undefined ? undefined : JSON.stringify(body) });
    expect((await control("/rooms", { name: "seeded", privacy: "private" })).status).toBe(200);
    await control("/faults", { failNext: 1, bogus: "ignored" });
    expect(daily.faults().failNext).toBe(1);
    expect((await call("GET", "/rooms/seeded")).status).toBe(500);
    expect((await call("DELETE", "/rooms/seeded")).status).toBe(200);
    const state = (await (await control("/state")).json()) as { rooms: unknown[]; deletions: Array<{ name: string }> };
    expect(state.rooms).toEqual([]);
    expect(state.deletions.map((d) => d.name)).toEqual(["seeded"]);
    await control("/reset", {});
    expect(daily.deletions).toEqual([]);
  });
});
