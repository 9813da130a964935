// The credential lockout against every way of presenting a credential, every client address it may
// come from (many loopback addresses, forwarded through a trusted proxy or forged), and the Host
// names the dashboard answers to.
import { SessionCodec } from "./auth/session";
import { basic, capturedLog, creds, send, sharedServices, startDashboard, testConfig, type RunningDashboard, type SharedServices } from "./testing/harness";

let services: SharedServices;
const running: RunningDashboard[] = [];
beforeAll(async () => {
  services = await sharedServices();
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((d) => d.close()));
});
afterAll(async () => {
  await services?.close();
});

async function dashboard(...args: Parameters<typeof startDashboard> extends [unknown, ...infer R] ? R : never): Promise<RunningDashboard> {
  const [config, log] = args;
  const dash = await startDashboard(services, config, log ?? capturedLog().log);
  running.push(dash);
  return dash;
}

// Each client of a test leaves from its own loopback address, as distinct machines would.
let nextAddress = 2;
const freshAddress = () => `127.0.${Math.floor(nextAddress / 250)}.${(nextAddress++ % 250) + 2}`;

type Form = "basic" | "session" | "bearer" | "x-cron-secret";
const FORMS: Form[] = ["basic", "session", "bearer", "x-cron-secret"];
const codec = new SessionCodec(creds.sessionSecret, testConfig().users);

/** Headers presenting each form of `forms`, right except `wrong`. Basic and session name the admin. */
function present(forms: Form[], wrong: Form): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const form of forms) {
    const ok = form !== wrong;
    if (form === "basic") headers.authorization = basic({ name: creds.admin.name, password: ok ? creds.admin.password : "not-the-password" });
    if (form === "bearer") headers.authorization = `Bearer ${ok ? creds.cronSecret : "wrong-secret-0123456789"}`;
    if (form === "x-cron-secret") headers["x-cron-secret"] = ok ? creds.cronSecret : "";
    if (form === "session") {
      const { value } = codec.issue({ ...creds.admin, role: "admin" });
      headers.cookie = `callastar_session=${ok ? value : `${value.slice(0, -4)}AAAA`}`;
    }
  }
  return headers;
}

// Every set of forms one request can carry (Basic and Bearer share the Authorization header), and in
// each, each form in turn the wrong one while the others are right.
const CASES = Array.from({ length: 15 }, (_, i) => FORMS.filter((_, bit) => i + 1 & (1 << bit)))
  .filter((forms) => !(forms.includes("basic") && forms.includes("bearer")))
  .flatMap((forms) => forms.map((wrong) => ({ forms, wrong, label: `${forms.join(" + ")}, ${wrong} wrong` })));

describe("every credential form counts against every identity it names", () => {
  const throttle = { maxFailures: 3, windowSeconds: 60 };
  const rightAdmin = { authorization: basic(creds.admin) };
  const rightViewer = { authorization: basic(creds.viewer) };

  it("covers each combination of Basic, session cookie, bearer and x-cron-secret", () => {
    expect(CASES).toHaveLength(20);
  });

  it.each(CASES)("$label: refused, counted against the address and the user it names", async ({ forms, wrong }) => {
    const dash = await dashboard({ authThrottle: throttle });
    const namesUser = forms.includes("basic") || forms.includes("session");
    // From one address when only the address is named; from a new address each time when a user is,
    // so it is the user's count, not an address's, that must lock.
    const attacker = freshAddress();
    for (let i = 0; i < throttle.maxFailures; i++) {
      const from = namesUser ? freshAddress() : attacker;
      expect((await send(dash.base, "/api/logs/stats", { headers: present(forms, wrong), localAddress: from })).status).toBe(401);
    }
    if (namesUser) {
      expect((await send(dash.base, "/api/logs/stats", { headers: rightAdmin, localAddress: freshAddress() })).status).toBe(429);
      expect((await send(dash.base, "/api/logs/stats", { headers: rightViewer, localAddress: freshAddress() })).status).toBe(200);
    } else {
      expect((await send(dash.base, "/api/logs/stats", { headers: rightViewer, localAddress: attacker })).status).toBe(429);
      expect((await send(dash.base, "/api/logs/stats", { headers: rightViewer, localAddress: freshAddress() })).status).toBe(200);
    }
  });

  it("40 wrong guesses for one user from 40 addresses, each with an x-cron-secret header, lock that user out", async () => {
    const dash = await dashboard({ authThrottle: { maxFailures: 10, windowSeconds: 900 } });
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      // An empty header was enough to hide the guess; so was the right secret.
      const headers = { authorization: basic({ name: creds.admin.name, password: `guess-${i}` }), "x-cron-secret": i % 2 ? "" : creds.cronSecret };
      statuses.push((await send(dash.base, "/api/logs/stats", { headers, localAddress: freshAddress() })).status);
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual(Array(30).fill(429));
    expect((await send(dash.base, "/api/logs/stats", { headers: rightAdmin, localAddress: freshAddress() })).status).toBe(429);
    // The cron secret alone still works from a clean address: scripts are not locked out by a user's lockout.
    expect((await send(dash.base, "/api/logs/stats", { headers: { "x-cron-secret": creds.cronSecret }, localAddress: freshAddress() })).status).toBe(200);
  });

  it("a valid session still passes while its user is locked out (it cannot be guessed); a forged one is cleared", async () => {
    const dash = await dashboard({ authThrottle: throttle });
    for (let i = 0; i < throttle.maxFailures; i++) {
      await send(dash.base, "/api/logs/stats", { headers: present(["basic"], "basic"), localAddress: freshAddress() });
    }
    const valid = present(["session"], "basic");
    expect((await send(dash.base, "/api/logs/stats", { headers: valid, localAddress: freshAddress() })).status).toBe(200);
    const forged = await send(dash.base, "/api/logs/stats", { headers: present(["session"], "session"), localAddress: freshAddress() });
    expect(forged.status).toBe(429);
    const other = await dashboard({ authThrottle: throttle });
    const refused = await send(other.base, "/api/logs/stats", { headers: present(["session"], "session"), localAddress: freshAddress() });
    expect(refused.status).toBe(401);
    expect(String(refused.headers["set-cookie"])).toMatch(/^callastar_session=; .*Max-Age=0/);
  });
});

describe("TRUST_PROXY", () => {
  const throttle = { maxFailures: 3, windowSeconds: 60 };
  const wrongSecret = { authorization: "Bearer wrong-secret-0123456789" };
  const rightViewer = { authorization: basic(creds.viewer) };

  it("through a trusted proxy, failures from one forwarded address don't lock out another; logs name the forwarded address", async () => {
    const captured = capturedLog();
    const dash = await dashboard({ authThrottle: throttle, trustProxy: ["127.0.0.1"] }, captured.log);
    for (let i = 0; i < throttle.maxFailures; i++) {
      expect((await send(dash.base, "/api/logs/stats", { headers: { ...wrongSecret, "x-forwarded-for": "203.0.113.1" } })).status).toBe(401);
    }
    expect((await send(dash.base, "/api/logs/stats", { headers: { ...rightViewer, "x-forwarded-for": "203.0.113.1" } })).status).toBe(429);
    expect((await send(dash.base, "/api/logs/stats", { headers: { ...rightViewer, "x-forwarded-for": "203.0.113.2" } })).status).toBe(200);
    // A client-supplied hop before the proxy's is not believed past the trusted one.
    expect((await send(dash.base, "/api/logs/stats", { headers: { ...rightViewer, "x-forwarded-for": "198.51.100.9, 203.0.113.1" } })).status).toBe(429);
    const refusals = captured.entries().filter((e) => typeof e.msg === "string" && e.msg.startsWith("refused"));
    expect(refusals.map((e) => e.clientAddress)).toEqual(Array(throttle.maxFailures + 2).fill("203.0.113.1"));
  });

  it("a forwarded header from an untrusted peer dodges nothing: the socket's address is counted", async () => {
    const dash = await dashboard({ authThrottle: throttle });
    const attacker = freshAddress();
    for (let i = 0; i < throttle.maxFailures; i++) {
      const forged = { ...wrongSecret, "x-forwarded-for": `203.0.113.${10 + i}` };
      expect((await send(dash.base, "/api/logs/stats", { headers: forged, localAddress: attacker })).status).toBe(401);
    }
    expect((await send(dash.base, "/api/logs/stats", { headers: { ...rightViewer, "x-forwarded-for": "203.0.113.99" }, localAddress: attacker })).status).toBe(429);
    // And a proxy that is not the trusted one is an ordinary client.
    const behind = await dashboard({ authThrottle: throttle, trustProxy: ["127.0.0.1"] });
    const untrusted = freshAddress();
    for (let i = 0; i < throttle.maxFailures; i++) {
      await send(behind.base, "/api/logs/stats", { headers: { ...wrongSecret, "x-forwarded-for": `203.0.113.${20 + i}` }, localAddress: untrusted });
    }
    expect((await send(behind.base, "/api/logs/stats", { headers: { ...rightViewer, "x-forwarded-for": "203.0.113.98" }, localAddress: untrusted })).status).toBe(429);
  });
});

describe("Host names", () => {
  it("development mode answers only to loopback names: Host evil.example gets 421 and changes nothing", async () => {
    const dash = await dashboard({ insecureDev: true, users: [], hostPolicy: { kind: "loopback" } });
    const port = new URL(dash.base).port;
    const evil = { host: "evil.example", origin: "http://evil.example" };
    const pause = await send(dash.base, "/admin/queues/api/queues/reminders/pause", { method: "PUT", headers: evil });
    expect(pause.status).toBe(421);
    expect(pause.body).toMatch(/Host "evil.example" is not served: in development the dashboard answers only to localhost/);
    for (const path of ["/readyz", "/api/logs/stats", "/login", "/admin/queues", "/metrics"]) expect((await send(dash.base, path, { headers: { host: `evil.example:${port}` } })).status).toBe(421);
    // Liveness probes reach it by address, whatever the policy; it says only "ok".
    expect((await send(dash.base, "/healthz", { headers: { host: "evil.example" } })).body).toBe('{"status":"ok"}');
    expect(await dash.producer.queue("reminders").isPaused()).toBe(false);
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]) {
      expect((await send(dash.base, "/api/logs/stats", { headers: { host } })).status).toBe(200);
    }
    const local = await send(dash.base, "/admin/queues/api/queues/reminders/pause", { method: "PUT", headers: { host: `localhost:${port}`, origin: `http://localhost:${port}` } });
    expect(local.status).toBeLessThan(300);
  });

  it("with a public origin: other Hosts get 421, state changes from another origin 403", async () => {
    const dash = await dashboard({ hostPolicy: { kind: "public", origin: "https://ops.example" } });
    const admin = { authorization: basic(creds.admin) };
    expect((await send(dash.base, "/api/logs/stats", { headers: { ...admin, host: "ops.example" } })).status).toBe(200);
    expect((await send(dash.base, "/api/logs/stats", { headers: { ...admin, host: "evil.example" } })).status).toBe(421);
    const path = "/admin/queues/api/queues/reminders/pause";
    expect((await send(dash.base, path, { method: "PUT", headers: { ...admin, host: "ops.example", origin: "http://ops.example" } })).status).toBe(403);
    expect(await dash.producer.queue("reminders").isPaused()).toBe(false);
    expect((await send(dash.base, path, { method: "PUT", headers: { ...admin, host: "ops.example", origin: "https://ops.example" } })).status).toBeLessThan(300);
    expect(await dash.producer.queue("reminders").isPaused()).toBe(true);
  });
});
