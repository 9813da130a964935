// `pnpm demo`: the whole system on this machine against local stand-ins for Resend, Daily and
// Stripe that speak their HTTP APIs. Migrates a demo database, seeds bookings whose reminders fall
// due within a minute, finished calls with rooms, requested payouts, then starts every app as its
// own process and prints the dashboard URL and credentials. Ctrl-C stops everything cleanly.
// Each run starts from an empty database (dropped, recreated, migrated) and an empty audit spool, so
// its books are clean. `--exit-when-done` stops once every seeded effect happened and nothing is in
// flight, exiting 0 (1 if that takes past DEMO_DONE_TIMEOUT_MS); its reminders fall due sooner.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import { Redis } from "ioredis";
import { createDb } from "@callastar/db";
import { QUEUE_NAMES } from "@callastar/queues";
import { Producer } from "@callastar/producer";
import { startDailyStandin, startResendStandin, startStripeStandin } from "@callastar/standins";
import { MissingServiceError, ensureLocalServices, obliteratePrefix, prepareDatabase, systemEnv } from "@callastar/testing";
import { APPS } from "./apps.mjs";
import { seedDemo } from "./demo-seed";

const env = process.env;
const databaseName = env.DEMO_DATABASE_URL ? new URL(env.DEMO_DATABASE_URL).pathname.slice(1) : "callastar_demo";
const prefix = env.QUEUE_PREFIX ?? "callastar-demo";
const port = Number(env.PORT ?? 3000);
const root = resolve(__dirname, "..");
const exitWhenDone = process.argv.includes("--exit-when-done");
const unknownArgs = process.argv.slice(2).filter((a) => a !== "--exit-when-done");
if (unknownArgs.length) {
  console.error(`demo: unknown argument ${unknownArgs.join(" ")} (known: --exit-when-done)`);
  process.exit(2);
}

async function main() {
  // A newcomer's machine may have neither running: start private ones, or say what to install.
  const services = await ensureLocalServices({
    postgresUrl: env.DEMO_ADMIN_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
    redisUrl: env.REDIS_URL ?? "redis://127.0.0.1:6379",
    scratchDir: resolve(root, ".demo/services"),
    log: (line) => console.log(`[demo] ${line}`),
  });
  const adminUrl = services.postgresUrl;
  const redisUrl = services.redisUrl;
  // A fresh database every run: every table the migrations create starts empty, so the audit of a
  // second run sees only its own facts (a hand-picked TRUNCATE list left some tables behind).
  const databaseUrl = await prepareDatabase(adminUrl, databaseName, { fresh: true });
  await obliteratePrefix(prefix, redisUrl);
  // Audit rows a previous run spooled belong to its database: replayed into this one, they would lie.
  rmSync(resolve(root, ".demo/spool"), { recursive: true, force: true });

  const [resend, daily, stripe] = await Promise.all([
    startResendStandin({ rateLimitPerSecond: 2 }),
    startDailyStandin({ deleteRatePerSecond: 2 }),
    startStripeStandin(),
  ]);
  const db = createDb(databaseUrl, { max: 2 });
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  const producer = new Producer({ connection: redis, prefix });
  const seeded = await seedDemo({ db, producer, dailyUrl: daily.url, dailyApiKey: daily.apiKey, ...(exitWhenDone ? { firstReminderInS: 5, reminderEveryS: 5 } : {}) });

  mkdirSync(resolve(root, ".demo/spool"), { recursive: true });
  const appEnv: NodeJS.ProcessEnv = {
    ...env,
    NODE_ENV: "development",
    ...systemEnv({ databaseUrl, redisUrl, prefix, spoolDir: resolve(root, ".demo/spool"), standins: { resend, daily, stripe } }),
    CRON_SECRET: "demo-cron-secret-0123456789",
    DASHBOARD_ADMIN_USER: "admin",
    DASHBOARD_ADMIN_PASSWORD: "demo-admin-password",
    DASHBOARD_VIEWER_USER: "viewer",
    DASHBOARD_VIEWER_PASSWORD: "demo-viewer-password",
    DASHBOARD_SESSION_SECRET: "demo-session-secret-0123456789abcdef0123",
    PORT: String(port),
  };
  const children: ChildProcess[] = APPS.map((app) => {
    const child = spawn(process.execPath, ["--import", "tsx", `apps/${app}/src/main.ts`], {
      cwd: root,
      env: appEnv,
      stdio: ["ignore", "inherit", "inherit"],
    });
    child.on("exit", (code, signal) => !stopping && console.error(`[demo] ${app} exited (${signal ?? code})`));
    return child;
  });

  // The crons would run on their schedule; run them now so a newcomer sees everything flow at once.
  setTimeout(() => {
    for (const id of ["send-booking-reminders", "cleanup-daily-rooms", "process-payouts", "process-automatic-payouts"]) {
      void producer.runCron(id, "demo").catch((e: unknown) => console.error(`[demo] ${id}: ${String(e)}`));
    }
  }, 4_000);

  console.log(`
  Call a Star jobs — demo
  ───────────────────────
  Dashboard   http://localhost:${port}/admin/queues   (admin / demo-admin-password; viewer / demo-viewer-password)
  Logs page   http://localhost:${port}/logs
  Cron API    curl -X POST -H 'Authorization: Bearer demo-cron-secret-0123456789' http://localhost:${port}/api/cron/process-payouts
  Stand-ins   Resend ${resend.url}  Daily ${daily.url}  Stripe ${stripe.url}
  Seeded      ${seeded.reminders} bookings with reminders due within a minute, ${seeded.rooms} finished calls with rooms,
              ${seeded.payouts} requested payouts, 1 creator on automatic payouts. Ctrl-C stops everything.
`);
  const progress = setInterval(() => {
    console.log(
      `[demo] emails delivered: ${resend.deliveries.length}, rooms deleted: ${daily.deletions.length}, transfers: ${stripe.transfers.length}`,
    );
  }, 10_000);

  let stopping = false;
  let exitCode = 0;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    clearInterval(progress);
    for (const c of children) c.kill("SIGTERM");
    await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once("exit", r)))));
    await producer.close();
    redis.disconnect();
    await db.close();
    await Promise.all([resend.close(), daily.close(), stripe.close()]);
    await services.stop();
    process.exit(exitCode);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
  if (env.DEMO_EXIT_AFTER_MS) setTimeout(() => void stop(), Number(env.DEMO_EXIT_AFTER_MS));
  if (exitWhenDone) {
    const deadline = Date.now() + Number(env.DEMO_DONE_TIMEOUT_MS ?? 180_000);
    const expected = seeded.expected;
    const counts = () => ({ emails: resend.deliveries.length, rooms: daily.deletions.length, transfers: stripe.transfers.length });
    const inFlight = async () => {
      let n = 0;
      for (const name of QUEUE_NAMES) {
        const c = await producer.queue(name).getJobCounts("active", "wait", "prioritized", "waiting-children");
        n += Object.values(c).reduce((a, b) => a + b, 0);
      }
      return n;
    };
    for (;;) {
      const c = counts();
      if (c.emails >= expected.emails && c.rooms >= expected.rooms && c.transfers >= expected.transfers && (await inFlight()) === 0) {
        console.log(`[demo] done: ${c.emails} emails, ${c.rooms} rooms deleted, ${c.transfers} transfers`);
        await stop();
      }
      if (Date.now() > deadline) {
        console.error(`[demo] not done in time: ${JSON.stringify(c)} of ${JSON.stringify(expected)}`);
        exitCode = 1;
        await stop();
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

main().catch((error: unknown) => {
  // What is missing is one line, not a stack trace.
  if (error instanceof MissingServiceError) console.error(`demo: ${error.message}`);
  else console.error("demo failed:", error);
  process.exit(1);
});
