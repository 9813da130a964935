import { appRoutes } from "@bull-board/api/dist/routes.js";
import { basic, creds, startDashboard, testConfig, useDashboard } from "./testing/harness";
import { concretePath, listRoutes } from "./testing/routes";

const env = useDashboard();

const req = (path: string, init: RequestInit = {}) => fetch(`${env.dash().base}${path}`, { redirect: "manual", ...init });

// The only routes that answer without credentials: liveness, and the login form itself (static, no data).
const PUBLIC = new Set(["GET /healthz", "GET /login"]);

describe("nothing open", () => {
  it("every route in the router stack, and every Bull Board route under its mount, answers 401 without credentials", async () => {
    const routes = listRoutes(env.dash().app as unknown as Parameters<typeof listRoutes>[0]);
    const paths = routes.map((r) => r.path);
    // The walk must really have found the app: the API, the pages and the Bull Board mount.
    expect(paths).toEqual(expect.arrayContaining(["/healthz", "/readyz", "/metrics", "/api/cron/:id", "/api/logs", "/api/logs/stats", "/logs", "/logs/booking/:bookingId", "/admin/queues"]));

    const probes: { method: string; path: string }[] = [];
    for (const route of routes) {
      for (const method of route.methods) {
        if (PUBLIC.has(`${method} ${route.path}`)) continue;
        probes.push({ method, path: concretePath(route.path) });
        if (route.mount) {
          // Bull Board's own route table: every API route and UI entry point, under the mount.
          for (const def of [...appRoutes.api, appRoutes.entryPoint]) {
            const defMethods = Array.isArray(def.method) ? def.method : [def.method];
            const defPaths = Array.isArray(def.route) ? def.route : [def.route];
            if (!defMethods.map((m: string) => m.toUpperCase()).includes(method)) continue;
            for (const p of defPaths) probes.push({ method, path: route.path + concretePath(p) });
          }
          probes.push({ method, path: `${route.path}/static/js/main.js` });
        }
      }
    }
    probes.push({ method: "GET", path: "/no-such-page" }, { method: "DELETE", path: "/api/logs" });
    expect(probes.length).toBeGreaterThan(40);

    const open: string[] = [];
    for (const probe of probes) {
      const res = await req(probe.path, { method: probe.method, headers: { "content-type": "application/json" }, ...(probe.method === "GET" ? {} : { body: "{}" }) });
      if (res.status !== 401) open.push(`${probe.method} ${probe.path} → ${res.status}`);
      await res.arrayBuffer();
    }
    expect(open).toEqual([]);
  });

  it("the public routes reveal nothing: /healthz says ok, /login is a bare form", async () => {
    const health = await req("/healthz");
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    const login = await req("/login");
    expect(login.status).toBe(200);
    const body = await login.text();
    expect(body).toContain('name="password"');
    expect(body).not.toContain("reminders");
  });

  it("human routes challenge with Basic; a wrong password is 401 too", async () => {
    const none = await req("/logs");
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toMatch(/^Basic realm="callastar"/);
    const wrong = await req("/logs", { headers: { authorization: basic({ name: creds.admin.name, password: "nope" }) } });
    expect(wrong.status).toBe(401);
    const unknown = await req("/api/logs", { headers: { authorization: basic({ name: "mallory", password: creds.admin.password }) } });
    expect(unknown.status).toBe(401);
    expect(await unknown.json()).toEqual({ error: "authentication required" });
    const ok = await req("/admin/queues/api/queues", { headers: { authorization: basic(creds.admin) } });
    expect(ok.status).toBe(200);
  });

  it("the cron API takes only the cron secret, in constant time, and never Basic", async () => {
    const wrongBearer = await req("/api/cron/cleanup-logs", { method: "POST", headers: { authorization: "Bearer wrong-secret-0123456789" } });
    expect(wrongBearer.status).toBe(401);
    expect(await wrongBearer.json()).toEqual({ error: "authentication required" });
    const wrongHeader = await req("/api/cron/cleanup-logs", { method: "POST", headers: { "x-cron-secret": creds.cronSecret.slice(0, -1) } });
    expect(wrongHeader.status).toBe(401);
    const admin = await req("/api/cron/cleanup-logs", { method: "POST", headers: { authorization: basic(creds.admin) } });
    expect(admin.status).toBe(401);
  });

  it("read APIs also accept the cron secret as a bearer, for scripts", async () => {
    const res = await req("/api/logs/stats", { headers: { authorization: `Bearer ${creds.cronSecret}` } });
    expect(res.status).toBe(200);
    const metrics = await req("/metrics", { headers: { "x-cron-secret": creds.cronSecret } });
    expect(metrics.status).toBe(200);
    const page = await req("/logs", { headers: { authorization: `Bearer ${creds.cronSecret}` } });
    expect(page.status).toBe(401);
  });
});

describe("sessions and CSRF", () => {
  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

  it("the login form sets an HttpOnly SameSite=Strict signed cookie that opens the pages", async () => {
    const bad = await req("/login", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: form({ username: creds.admin.name, password: "wrong" }) });
    expect(bad.status).toBe(401);
    expect(bad.headers.get("set-cookie")).toBeNull();

    const res = await req("/login", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: env.dash().base },
      body: form({ username: creds.admin.name, password: creds.admin.password, next: "/admin/queues" }),
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/admin/queues");
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toContain(creds.admin.password);
    const value = cookie.split(";")[0] as string;

    expect((await req("/api/logs", { headers: { cookie: value } })).status).toBe(200);
    // A forged signature is rejected.
    const forged = `${value.slice(0, -3)}abc`;
    expect((await req("/api/logs", { headers: { cookie: forged } })).status).toBe(401);
  });

  it("login refuses open redirects", async () => {
    const res = await req("/login", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: form({ username: creds.admin.name, password: creds.admin.password, next: "//evil.example/x" }),
    });
    expect(res.headers.get("location")).toBe("/logs");
  });

  it("an admin's state-changing request with a foreign Origin is refused (403); same origin passes", async () => {
    const foreign = await req("/admin/queues/api/queues/reminders/pause", {
      method: "PUT",
      headers: { authorization: basic(creds.admin), origin: "https://evil.example" },
    });
    expect(foreign.status).toBe(403);
    const crossSite = await req("/admin/queues/api/queues/reminders/pause", {
      method: "PUT",
      headers: { authorization: basic(creds.admin), "sec-fetch-site": "cross-site" },
    });
    expect(crossSite.status).toBe(403);
    const foreignLogin = await req("/login", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: "https://evil.example" },
      body: form({ username: creds.admin.name, password: creds.admin.password }),
    });
    expect(foreignLogin.status).toBe(403);
    expect(await env.dash().producer.queue("reminders").isPaused()).toBe(false);

    const same = await req("/admin/queues/api/queues/reminders/pause", {
      method: "PUT",
      headers: { authorization: basic(creds.admin), origin: env.dash().base },
    });
    expect(same.status).toBeLessThan(300);
    expect(await env.dash().producer.queue("reminders").isPaused()).toBe(true);
  });

  it("the viewer sees the board but cannot change anything (403)", async () => {
    const list = await req("/admin/queues/api/queues", { headers: { authorization: basic(creds.viewer) } });
    expect(list.status).toBe(200);
    const pause = await req("/admin/queues/api/queues/reminders/pause", { method: "PUT", headers: { authorization: basic(creds.viewer), origin: env.dash().base } });
    expect(pause.status).toBe(403);
    expect(await env.dash().producer.queue("reminders").isPaused()).toBe(false);
  });
});

describe("insecure development mode", () => {
  it("serves a loopback client without credentials, but never a request forwarded from another host", async () => {
    const dash = await startDashboard(env.services(), { insecureDev: true, users: [] });
    try {
      const local = await fetch(`${dash.base}/api/logs/stats`);
      expect(local.status).toBe(200);
      const forwarded = await fetch(`${dash.base}/admin/queues/api/queues/reminders/pause`, {
        method: "PUT",
        headers: { "x-forwarded-for": "203.0.113.7", origin: dash.base },
      });
      expect(forwarded.status).toBe(401);
      expect(await dash.producer.queue("reminders").isPaused()).toBe(false);
    } finally {
      await dash.close();
    }
  });
});

describe("credential guessing", () => {
  const throttle = { maxFailures: 5, windowSeconds: 2 };
  const wrongBasic = { authorization: basic({ name: creds.admin.name, password: "not-the-password" }) };

  it("locks an address out after the limit, across dashboard copies, until Retry-After has passed — even for the right password", async () => {
    const first = await startDashboard(env.services(), { authThrottle: throttle });
    // A second copy on the same Redis and prefix: the count must be shared, not per process.
    const { createDashboardApp } = await import("./app");
    const second = createDashboardApp({ db: env.services().db, logger: env.services().logger, producer: first.producer, redis: first.redis, prefix: first.prefix, config: testConfig({ authThrottle: throttle }) });
    const server = second.listen(0, "127.0.0.1");
    await new Promise<void>((resolve) => server.once("listening", resolve));
    const secondBase = `http://127.0.0.1:${(server.address() as import("node:net").AddressInfo).port}`;
    try {
      const statuses: number[] = [];
      for (let i = 0; i < throttle.maxFailures; i++) {
        const base = i % 2 === 0 ? first.base : secondBase;
        statuses.push((await fetch(`${base}/api/logs/stats`, { headers: wrongBasic })).status);
      }
      expect(statuses).toEqual(Array(throttle.maxFailures).fill(401));
      const locked = await fetch(`${secondBase}/api/logs/stats`, { headers: { authorization: basic(creds.admin) } });
      expect(locked.status).toBe(429);
      const retryAfter = Number(locked.headers.get("retry-after"));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect((await fetch(`${first.base}/api/cron/cleanup-logs`, { headers: { authorization: `Bearer ${creds.cronSecret}` } })).status).toBe(429);
      // The lockout is audited once, when it starts.
      await env.services().logger.flush();
      const rows = await env.services().logger.getRecentLogs({ type: "API_ERROR" as never });
      expect(rows.filter((r) => (r.context as { clientAddress?: string } | null)?.clientAddress?.includes("127.0.0.1"))).toHaveLength(1);

      await new Promise((r) => setTimeout(r, retryAfter * 1000)); // the server's own Retry-After, not a guess
      expect((await fetch(`${first.base}/api/logs/stats`, { headers: { authorization: basic(creds.admin) } })).status).toBe(200);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await first.close();
    }
  });

  it("limits the login form and the cron secret the same way", async () => {
    const dash = await startDashboard(env.services(), { authThrottle: throttle });
    try {
      const login = (password: string) =>
        fetch(`${dash.base}/login`, {
          method: "POST",
          redirect: "manual",
          headers: { "content-type": "application/x-www-form-urlencoded", origin: dash.base },
          body: new URLSearchParams({ username: creds.viewer.name, password }).toString(),
        });
      for (let i = 0; i < throttle.maxFailures; i++) expect((await login("wrong-password")).status).toBe(401);
      const refused = await login(creds.viewer.password);
      expect(refused.status).toBe(429);
      expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);
    } finally {
      await dash.close();
    }
    const other = await startDashboard(env.services(), { authThrottle: throttle });
    try {
      const cron = (secret: string) => fetch(`${other.base}/api/cron/cleanup-logs`, { method: "POST", headers: { "x-cron-secret": secret } });
      for (let i = 0; i < throttle.maxFailures; i++) expect((await cron("wrong-secret-0123456789")).status).toBe(401);
      expect((await cron(creds.cronSecret)).status).toBe(429);
    } finally {
      await other.close();
    }
  });
});
