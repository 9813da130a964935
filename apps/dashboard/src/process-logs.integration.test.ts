// Every app as a real process, every secret-bearing variable set to a value no log line may carry,
// traffic with failures (Resend 500, Daily 500, a Stripe card error, wrong dashboard credentials):
// each app's whole stdout+stderr must be JSON lines with its fields and hold no secret, in any form.
import { sql } from "drizzle-orm";
import { createDb, log, payment, payout, type DbHandle } from "@callastar/db";
import { startDailyStandin, startResendStandin, startStripeStandin, type DailyStandin, type ResendStandin, type StripeStandin } from "@callastar/standins";
import {
  createTestDatabase,
  freePort,
  seedBooking,
  spawnApp,
  startRedisServer,
  systemEnv,
  uniquePrefix,
  waitFor,
  type AppProcess,
  type RedisServer,
  type TestDatabase,
} from "@callastar/testing";

const APPS = ["scheduler", "email-worker", "room-worker", "payout-worker", "maintenance-worker", "outbox-relay", "dashboard"] as const;
type App = (typeof APPS)[number];
const READY: Record<App, string> = {
  scheduler: "registered ",
  "email-worker": "consuming ",
  "room-worker": "consuming ",
  "payout-worker": "consuming ",
  "maintenance-worker": "consuming ",
  "outbox-relay": "relaying ",
  dashboard: "listening on ",
};

// Distinctive values that match no provider key shape, so only the configured-value scrub can hide them.
const SECRETS = {
  RESEND_API_KEY: "re_resend-key-LEAK-7f3a9c1e5b",
  STRIPE_SECRET_KEY: "sk_test_stripe-secret-LEAK-51d2e8aa3c",
  DAILY_API_KEY: "daily-key-LEAK-0b9e77c3d1",
  CRON_SECRET: "cron-secret-LEAK-8e2c4a6f0d",
  DASHBOARD_ADMIN_PASSWORD: "admin-pass-LEAK-93ad1f7e",
  DASHBOARD_VIEWER_PASSWORD: "viewer-pass-LEAK-c1e5b0a4",
  DASHBOARD_SESSION_SECRET: "session-secret-LEAK-4f1d6b2a9c8e7d6f5a4b3c2d",
  PG_PASSWORD: "pg-pass-LEAK-2b7e91f0",
  REDIS_PASSWORD: "redis-pass-LEAK-6d0f3a8c",
  WRONG_REDIS_PASSWORD: "redis-wrong-LEAK-a5e2c9d7",
};
const MIN = 60_000;

let t: TestDatabase;
let db: DbHandle;
let redisServer: RedisServer;
let resend: ResendStandin;
let daily: DailyStandin;
let stripe: StripeStandin;
const procs = new Map<string, AppProcess>();
let dashboardUrl: string;

const withPassword = (url: string, password: string) => {
  const u = new URL(url);
  u.password = password;
  return u.toString();
};

beforeAll(async () => {
  t = await createTestDatabase();
  redisServer = await startRedisServer(undefined, { password: SECRETS.REDIS_PASSWORD });
  [resend, daily, stripe] = await Promise.all([
    startResendStandin({ apiKey: SECRETS.RESEND_API_KEY, rateLimitPerSecond: 100 }),
    startDailyStandin({ apiKey: SECRETS.DAILY_API_KEY, deleteRatePerSecond: 100 }),
    startStripeStandin({ secretKey: SECRETS.STRIPE_SECRET_KEY }),
  ]);
  db = createDb(t.url, { max: 2 });
}, 60_000);

afterAll(async () => {
  for (const p of procs.values()) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
  await Promise.all([...procs.values()].map((p) => p.exited));
  await db?.close();
  await Promise.all([resend?.close(), daily?.close(), stripe?.close()]);
  await redisServer?.stop();
  await t?.drop();
});

async function seedWorld(): Promise<{ reminderBooking: string; roomBooking: string; payouts: string[] }> {
  // A reminder due now (call in lead time), a finished call whose room still exists, two payouts.
  const reminder = await seedBooking(db, { callDateTime: new Date(Date.now() + 15 * MIN - 5_000), label: "leak-reminder" });
  const roomName = `leakcheck-${Date.now().toString(36)}`;
  const created = await fetch(`${daily.url}/rooms`, {
    method: "POST",
    headers: { authorization: `Bearer ${SECRETS.DAILY_API_KEY}`, "content-type": "application/json" },
    body: JSON.stringify({ name: roomName, privacy: "private" }),
  });
  expect(created.status).toBe(200);
  const room = await seedBooking(db, { callDateTime: new Date(Date.now() - 2 * 3600_000), status: "COMPLETED", dailyRoomName: roomName, label: "leak-room" });
  await db.db.insert(payment).values({
    bookingId: room.bookingId,
    amount: 50_000,
    status: "SUCCEEDED",
    stripePaymentIntentId: `pi_leak_${Date.now()}`,
    platformFee: 5_000,
    creatorAmount: 45_000,
  });
  const rows = await db.db
    .insert(payout)
    .values([
      { creatorId: room.creatorId, amount: 2_500 },
      { creatorId: room.creatorId, amount: 1_800 },
    ])
    .returning({ id: payout.id });
  return { reminderBooking: reminder.bookingId, roomBooking: room.bookingId, payouts: rows.map((r) => r.id) };
}

function envOf(port: number): Record<string, string> {
  return {
    ...systemEnv({
      databaseUrl: withPassword(t.url, SECRETS.PG_PASSWORD),
      redisUrl: redisServer.url,
      prefix: uniquePrefix("leak"),
      spoolDir: `/tmp/callastar-leak-spool-${process.pid}`,
      standins: { resend: { url: resend.url, apiKey: SECRETS.RESEND_API_KEY }, daily: { url: daily.url, apiKey: SECRETS.DAILY_API_KEY }, stripe: { url: stripe.url, secretKey: SECRETS.STRIPE_SECRET_KEY } },
    }),
    NODE_ENV: "production",
    LOG_LEVEL: "debug",
    HOST: "127.0.0.1",
    PORT: String(port),
    CRON_SECRET: SECRETS.CRON_SECRET,
    DASHBOARD_ADMIN_USER: "admin",
    DASHBOARD_ADMIN_PASSWORD: SECRETS.DASHBOARD_ADMIN_PASSWORD,
    DASHBOARD_VIEWER_USER: "viewer",
    DASHBOARD_VIEWER_PASSWORD: SECRETS.DASHBOARD_VIEWER_PASSWORD,
    DASHBOARD_SESSION_SECRET: SECRETS.DASHBOARD_SESSION_SECRET,
    // Retries come back at once: the test waits for their outcome, not for a backoff.
    PAYOUT_RETRY_AFTER_FAILURE_MS: "100",
  };
}

const cron = (id: string, secret = SECRETS.CRON_SECRET) =>
  fetch(`${dashboardUrl}/api/cron/${id}`, { method: "POST", headers: { authorization: `Bearer ${secret}` } });

const rowsOf = async (type: string) => (await db.db.select().from(log).where(sql`${log.type}::text = ${type}`)).length;

/** Every form a secret can take in a line: as is, JSON-escaped, URL-encoded, base64 (Basic auth). */
function forms(secret: string): string[] {
  return [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret), Buffer.from(`admin:${secret}`).toString("base64")];
}

it("logs JSON lines with app and job fields from every app, and never a secret", async () => {
  const seeded = await seedWorld();
  const port = await freePort();
  dashboardUrl = `http://127.0.0.1:${port}`;
  const env = envOf(port);
  for (const app of APPS) procs.set(app, spawnApp(app, env));
  await Promise.all(APPS.map((app) => procs.get(app)!.waitForOutput(READY[app], 60_000)));
  // A worker given a wrong Redis password refuses to start, saying why, without the password.
  const misconfigured = spawnApp("email-worker", { ...env, REDIS_URL: withPassword(env.REDIS_URL!, SECRETS.WRONG_REDIS_PASSWORD) });

  // Failures from each provider: the first Resend send and Daily delete answer 500, one transfer a card error.
  resend.setFaults({ failNext: 1 });
  daily.setFaults({ failNext: 1 });
  stripe.setFaults({ cardErrorNext: 1 });
  // Wrong credentials of every kind the dashboard takes.
  const wrongLogin = await fetch(`${dashboardUrl}/login`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ username: "admin", password: "not-the-password" }).toString(),
    redirect: "manual",
  });
  expect(wrongLogin.status).toBe(401);
  const wrongBasic = await fetch(`${dashboardUrl}/api/logs`, { headers: { authorization: `Basic ${Buffer.from("admin:guess-123456").toString("base64")}` } });
  expect(wrongBasic.status).toBe(401);
  expect((await cron("process-payouts", "wrong-cron-secret-123")).status).toBe(401);
  const rightBasic = await fetch(`${dashboardUrl}/api/logs`, {
    headers: { authorization: `Basic ${Buffer.from(`viewer:${SECRETS.DASHBOARD_VIEWER_PASSWORD}`).toString("base64")}` },
  });
  expect(rightBasic.status).toBe(200);
  for (const id of ["send-booking-reminders", "cleanup-daily-rooms", "process-payouts", "cleanup-logs"]) expect((await cron(id)).status).toBe(202);

  // Each run finished, through its failures: reminder emails sent after a 500, the room deleted
  // after a 500, one payout failed for good (card error) and the other paid.
  await waitFor("the reminder's emails", async () => (await rowsOf("EMAIL_SENT")) >= 2 || undefined, { timeoutMs: 60_000 });
  await waitFor("the room deletion", async () => (await rowsOf("DAILY_ROOM_DELETED")) >= 1 || undefined, { timeoutMs: 60_000 });
  await waitFor("every cron run", async () => (await rowsOf("CRON_RUN")) >= 4 || undefined, { timeoutMs: 60_000 });
  const states = await db.db.select({ id: payout.id, status: payout.status }).from(payout);
  expect(states.map((s) => s.status).sort()).toEqual(["FAILED", "PAID"]);
  expect(await rowsOf("EMAIL_ERROR")).toBeGreaterThanOrEqual(1);
  expect(await rowsOf("DAILY_ROOM_ERROR")).toBeGreaterThanOrEqual(1);

  // A clean stop: every process logs its shutdown steps and exits 0.
  for (const p of procs.values()) p.child.kill("SIGTERM");
  for (const [app, p] of procs) expect([app, await p.exited]).toEqual([app, 0]);

  expect(await misconfigured.exited).toBe(1);
  const refusal = misconfigured.output().trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>).at(-1);
  expect(refusal).toMatchObject({ app: "email-worker", level: "fatal", msg: expect.stringContaining("cannot reach Redis at 127.0.0.1") });
  procs.set("email-worker (wrong Redis password)", misconfigured);

  const secrets = Object.values(SECRETS).flatMap(forms);
  for (const [app, p] of procs) {
    const output = p.output();
    for (const secret of secrets) if (output.includes(secret)) throw new Error(`${app} printed a secret (${secret.slice(0, 12)}…):\n${output}`);
    const lines = output.split("\n").filter((l) => l.trim());
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`${app} printed a line that is not JSON: ${line}`);
      }
      expect({ app: entry.app, level: typeof entry.level, time: typeof entry.time, msg: typeof entry.msg }).toEqual({ app: app.split(" ")[0], level: "string", time: "string", msg: "string" });
    }
  }

  const entries = (app: App) => procs.get(app)!.output().trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
  // Job lines carry the job's queue, id, name, attempt and entity id.
  // The reminder job only queues its emails (LOG_LEVEL=debug logs its completion); the batch sender
  // meets Resend's 500 (an EMAIL_ERROR row, then a retry) without a job of its own.
  const reminderDone = entries("email-worker").find((e) => e.jobName === "booking-reminder" && e.msg === "job completed");
  expect(reminderDone).toMatchObject({ queue: "reminders", jobId: expect.any(String), attempt: 1, bookingId: seeded.reminderBooking });
  const roomLines = entries("room-worker").filter((e) => e.jobName === "delete-room");
  expect(roomLines).toEqual(expect.arrayContaining([expect.objectContaining({ queue: "rooms", bookingId: seeded.roomBooking, attempt: 1, level: "warn" })]));
  expect(roomLines).toEqual(expect.arrayContaining([expect.objectContaining({ bookingId: seeded.roomBooking, attempt: 2, msg: "job completed" })]));
  const payoutFailure = entries("payout-worker").find((e) => e.jobName === "pay-payout" && e.level === "error");
  expect(payoutFailure).toMatchObject({ queue: "payouts", payoutId: expect.stringMatching(new RegExp(seeded.payouts.join("|"))), msg: "job failed for good" });
  // Refused credentials are logged with the client and the kind, never what was tried.
  const refusals = entries("dashboard").filter((e) => typeof e.msg === "string" && e.msg.startsWith("refused "));
  expect(refusals.map((e) => e.credential).sort()).toEqual(["basic", "bearer", "login"]);
  expect(procs.get("dashboard")!.output()).not.toContain("not-the-password");
  expect(procs.get("dashboard")!.output()).not.toContain("guess-123456");
}, 180_000);
