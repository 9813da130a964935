// The apps of the system on a private PostgreSQL server that a test or `pnpm bench:outage` stops
// (fast, or immediate: a crash) and starts again, each app a real process, with one probe per app:
// a piece of work given while the server is down (or right after it returns) whose completion is
// the app's first success after the outage. Shared by scripts/pg-restart.test.ts (a subset) and the
// bench (the whole matrix, with figures).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { Redis } from "ioredis";
import { createDb, cronRun, jobOutbox, payout, type DbHandle } from "@callastar/db";
import { SCHEDULERS } from "@callastar/queues";
import { Producer, outboxRow, outboxStatement } from "@callastar/producer";
import { startDailyStandin, startResendStandin, startStripeStandin, type DailyStandin, type ResendStandin, type StripeStandin } from "@callastar/standins";
import {
  freePort,
  obliteratePrefix,
  prepareDatabase,
  seedBooking,
  spawnApp,
  startPostgresServer,
  systemEnv,
  uniquePrefix,
  waitFor,
  type AppProcess,
  type PostgresServer,
} from "@callastar/testing";

/** The apps a run can start, each with the line it prints once it works. */
const OUTAGE_APPS = {
  "outbox-relay": "relaying",
  "payout-worker": "consuming",
  "room-worker": "consuming",
  "maintenance-worker": "consuming",
  scheduler: "registered ",
  dashboard: "listening on",
} as const;
export type OutageApp = keyof typeof OUTAGE_APPS;

const CRON_SECRET = "outage-cron-secret-0123456789";

export interface OutageSystem {
  server: PostgresServer;
  /** The harness' own pool on the run's database (it reconnects as the apps do). */
  db: DbHandle;
  producer: Producer;
  redis: Redis;
  prefix: string;
  stripe: StripeStandin;
  daily: DailyStandin;
  /** Starts a copy of `app` (once its ready line is printed); copies are stopped by close(). */
  start(app: OutageApp, extraEnv?: Record<string, string>): Promise<AppProcess>;
  /** The first dashboard copy's base URL (after start("dashboard")). */
  dashboardUrl(): string;
  /** GET `path` of the dashboard with the cron secret; resolves with the status (never hangs past `timeoutMs`). */
  dashboard(path: string, timeoutMs?: number): Promise<{ status: number; ms: number }>;
  close(): Promise<void>;
}

/** Starts the private server, a migrated database, the stand-ins and a producer; no app yet. */
export async function startOutageSystem(options: { redisUrl: string; env?: Record<string, string> }): Promise<OutageSystem> {
  const server = await startPostgresServer();
  const prefix = uniquePrefix("outage");
  const spoolDir = mkdtempSync(join(tmpdir(), "callastar-outage-spool-"));
  const procs: AppProcess[] = [];
  let dashboardPort: number | undefined;
  let resend: ResendStandin | undefined;
  let stripe: StripeStandin | undefined;
  let daily: DailyStandin | undefined;
  let db: DbHandle | undefined;
  let redis: Redis | undefined;
  try {
    const databaseUrl = await prepareDatabase(server.url("postgres"), "callastar_outage", { fresh: true });
    [resend, stripe, daily] = await Promise.all([startResendStandin({ rateLimitPerSecond: 0 }), startStripeStandin(), startDailyStandin({ domain: "callastar" })]);
    db = createDb(databaseUrl, { max: 2, applicationName: "outage-harness" });
    redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 1 });
    const producer = new Producer({ connection: redis, prefix });
    const base = {
      NODE_ENV: "test",
      ...systemEnv({ databaseUrl, redisUrl: options.redisUrl, prefix, spoolDir, standins: { resend, daily, stripe } }),
      // Short recovery loops, so each app's probe depends on the outage and not on a long interval.
      PAYOUT_RECOVERY_INTERVAL_MS: "2000",
      PAYOUT_RECOVERY_GRACE_MS: "1000",
      SCHEDULER_CHECK_INTERVAL_MS: "1000",
      OUTBOX_POLL_INTERVAL_MS: "500",
      CRON_SECRET,
      DASHBOARD_ADMIN_USER: "ops",
      DASHBOARD_ADMIN_PASSWORD: "outage-admin-password",
      DASHBOARD_SESSION_SECRET: "outage-session-secret-0123456789-abcdef",
      ...options.env,
    };
    const system: OutageSystem = {
      server,
      db,
      producer,
      redis,
      prefix,
      stripe,
      daily,
      async start(app, extraEnv = {}) {
        const env: Record<string, string> = { ...base, ...extraEnv };
        if (app === "dashboard") {
          // The first copy is the one dashboard() asks; each further copy listens on a port of its own.
          const port = await freePort();
          dashboardPort ??= port;
          Object.assign(env, { PORT: String(port), HOST: "127.0.0.1" });
        }
        const proc = spawnApp(app, env);
        procs.push(proc);
        await proc.waitForOutput(OUTAGE_APPS[app], 120_000);
        return proc;
      },
      dashboardUrl: () => `http://127.0.0.1:${dashboardPort}`,
      async dashboard(path, timeoutMs = 30_000) {
        const started = Date.now();
        const res = await fetch(`${system.dashboardUrl()}${path}`, {
          headers: { authorization: `Bearer ${CRON_SECRET}` },
          signal: AbortSignal.timeout(timeoutMs),
        });
        await res.arrayBuffer();
        return { status: res.status, ms: Date.now() - started };
      },
      async close() {
        await Promise.all(
          procs.map(async (p) => {
            if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
            await p.exited;
          }),
        );
        await producer.close();
        redis?.disconnect();
        await obliteratePrefix(prefix, options.redisUrl);
        await db?.close(1);
        await Promise.all([resend?.close(), stripe?.close(), daily?.close()]);
        await server.destroy();
        rmSync(spoolDir, { recursive: true, force: true });
      },
    };
    return system;
  } catch (error) {
    redis?.disconnect();
    await db?.close(1);
    await Promise.all([resend?.close(), stripe?.close(), daily?.close()]);
    await server.destroy();
    throw error;
  }
}

/** A piece of work for one app whose completion is the app's first success after an outage. */
export interface Probe {
  app: OutageApp;
  /** Prepares what must exist in PostgreSQL before the outage (the server is up). */
  seed(): Promise<void>;
  /** Gives the work: during the outage (through Redis) or, for `afterReturn`, once the server is back. */
  give(): Promise<void>;
  /** True once the work is done (read from PostgreSQL or HTTP). */
  done(): Promise<boolean>;
  /** Given once the server is back (the work needs PostgreSQL to be given at all). */
  afterReturn?: boolean;
}

/** One probe per app, each with its own entity (`tag` keeps runs apart). */
export function probes(s: OutageSystem, tag: string): Record<OutageApp, Probe> {
  let payoutId = "";
  let roomBooking = "";
  const roomName = `outage-${tag}`;
  let outboxId = "";
  let cronJobId = "";
  let repairedRows = 0;
  const systemErrors = async () =>
    (await s.db.sql<Array<{ n: number }>>`SELECT count(*)::int AS n FROM "Log" WHERE type = 'SYSTEM_ERROR' AND context->>'schedulerId' = 'cleanup-logs'`)[0]!.n;
  return {
    "outbox-relay": {
      app: "outbox-relay",
      afterReturn: true,
      seed: async () => undefined,
      async give() {
        const row = outboxRow("enqueuePayout", { payoutId: `outbox-${tag}` });
        const { text, values } = outboxStatement(row);
        await s.db.sql.unsafe(text, values as never);
        outboxId = row.id;
      },
      done: async () => (await s.db.db.select().from(jobOutbox).where(eq(jobOutbox.id, outboxId)))[0]?.relayedAt != null,
    },
    "payout-worker": {
      app: "payout-worker",
      async seed() {
        const b = await seedBooking(s.db, { callDateTime: new Date(Date.now() - 3600_000), status: "COMPLETED", label: `pay-${tag}` });
        const [p] = await s.db.db.insert(payout).values({ creatorId: b.creatorId, amount: 4200 }).returning({ id: payout.id });
        payoutId = p!.id;
      },
      give: () => s.producer.enqueuePayout({ payoutId }).then(() => undefined),
      done: async () => (await s.db.db.select({ status: payout.status }).from(payout).where(eq(payout.id, payoutId)))[0]?.status === "PAID",
    },
    "room-worker": {
      app: "room-worker",
      async seed() {
        const res = await fetch(`http://127.0.0.1:${s.daily.port}/_standin/rooms`, { method: "POST", body: JSON.stringify({ name: roomName, privacy: "private" }) });
        if (!res.ok) throw new Error(`Daily stand-in refused room ${roomName}: ${res.status}`);
        roomBooking = (await seedBooking(s.db, { callDateTime: new Date(Date.now() - 3600_000), status: "COMPLETED", dailyRoomName: roomName, label: `room-${tag}` })).bookingId;
      },
      give: () => s.producer.enqueueRoomDeletion({ bookingId: roomBooking, roomName }).then(() => undefined),
      done: async () => (await s.db.sql<Array<{ status: string }>>`SELECT status FROM "DailyRoomDeletion" WHERE "bookingId" = ${roomBooking}`)[0]?.status === "DELETED",
    },
    "maintenance-worker": {
      app: "maintenance-worker",
      seed: async () => undefined,
      async give() {
        cronJobId = await s.producer.runCron("prune-job-outbox", `outage-${tag}`);
      },
      done: async () => (await s.db.db.select().from(cronRun).where(eq(cronRun.jobId, cronJobId)))[0]?.status === "SUCCEEDED",
    },
    scheduler: {
      app: "scheduler",
      async seed() {
        repairedRows = await systemErrors();
      },
      // A scheduler gone from Redis: the scheduler repairs it and records so in an audit row.
      give: () => s.producer.queue(SCHEDULERS["cleanup-logs"].queue).removeJobScheduler("cleanup-logs").then(() => undefined),
      done: async () => (await systemErrors()) > repairedRows,
    },
    dashboard: {
      app: "dashboard",
      seed: async () => undefined,
      give: async () => undefined,
      done: async () => (await s.dashboard("/api/logs?limit=1", 10_000).catch(() => ({ status: 0 }))).status === 200,
    },
  };
}

/** Waits for `probe` to be done; returns the ms from `since` to when it was seen done. */
export async function timeToDone(probe: Probe, since: number, timeoutMs = 180_000): Promise<number> {
  await waitFor(`${probe.app}'s work after the outage`, () => probe.done(), { timeoutMs, intervalMs: 100 });
  return Date.now() - since;
}

/** The "CronRun" rows of the cron job `jobId` (one when it ran once). */
export function cronRunsOf(s: OutageSystem, jobId: string) {
  return s.db.db.select().from(cronRun).where(eq(cronRun.jobId, jobId));
}
