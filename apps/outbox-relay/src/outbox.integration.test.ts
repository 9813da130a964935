import { eq, inArray } from "drizzle-orm";
import { execFileSync, spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { Redis } from "ioredis";
import postgres from "postgres";
import { booking, emailDelivery, jobOutbox, log } from "@callastar/db";
import { jobIds } from "@callastar/queues";
import { Producer, outboxRow, outboxStatement } from "@callastar/producer";
import { enqueueInDrizzleTransaction } from "@callastar/producer/drizzle";
import { startResendStandin, type ResendStandin } from "@callastar/standins";
import {
  createTestDatabase,
  freePort,
  obliteratePrefix,
  seedBooking,
  spawnApp,
  startRedisServer,
  startTcpProxy,
  testEnv,
  uniquePrefix,
  waitFor,
  type AppProcess,
  type RedisServer,
  type SeededBooking,
  type TcpProxy,
  type TestDatabase,
} from "@callastar/testing";
import { startOutboxRelay, type OutboxRelayApp } from "./app";
import { recheckSlotKey } from "./loop";
import { loadOutboxRelayEnv } from "./env";
import { createProcessLog } from "@callastar/runtime";

// The main app's side, with real PostgreSQL, Redis and relay processes: a job exists exactly when
// the transaction that wrote its outbox row committed, whatever the relay crashes or Redis loses.
let t: TestDatabase;
let world: SeededBooking;
let prefix: string;
let redis: Redis;
let producer: Producer;
const procs: AppProcess[] = [];
const relays: OutboxRelayApp[] = [];
const CALL = new Date(Date.now() + 24 * 3600_000);

const relayEnv = (extra: Record<string, string> = {}) => ({
  NODE_ENV: "test",
  DATABASE_URL: t.url,
  REDIS_URL: testEnv.redisUrl,
  QUEUE_PREFIX: prefix,
  OUTBOX_POLL_INTERVAL_MS: "200",
  ...extra,
});
const relayInProcess = async (extra: Record<string, string> = {}) => {
  const app = await startOutboxRelay(loadOutboxRelayEnv(relayEnv(extra)), { exit: () => undefined, log: createProcessLog({ app: "test", level: "silent" }) });
  relays.push(app);
  return app;
};
const relayProcess = (extra: Record<string, string> = {}) => {
  const p = spawnApp("outbox-relay", relayEnv(extra));
  procs.push(p);
  return p;
};

/** A booking of the seeded client and offer, committed with its reminder's outbox row — or rolled back. */
async function bookWithReminder(outcome: "commit" | "rollback"): Promise<string> {
  let id = "";
  await t.db
    .transaction(async (tx) => {
      const [b] = await tx.insert(booking).values({ userId: world.clientId, callOfferId: world.callOfferId, status: "CONFIRMED", totalPrice: 5000 }).returning();
      id = b!.id;
      await enqueueInDrizzleTransaction(tx, "scheduleBookingReminder", { bookingId: id, callDateTime: CALL });
      if (outcome === "rollback") throw new Error("payment refused");
    })
    .catch((error: unknown) => {
      if (outcome === "commit") throw error;
    });
  return id;
}

/** Every committed row relayed: the known point after which nothing more will be added. */
const drained = () =>
  waitFor("the outbox drained", async () => (await t.sql`SELECT count(*)::int AS n FROM "JobOutbox" WHERE "relayedAt" IS NULL`)[0]!.n === 0);

beforeAll(async () => {
  t = await createTestDatabase();
  world = await seedBooking(t, { callDateTime: CALL });
});
afterAll(async () => {
  await t.drop();
});
beforeEach(async () => {
  prefix = uniquePrefix("outbox");
  redis = new Redis(testEnv.redisUrl, { maxRetriesPerRequest: 1 });
  producer = new Producer({ connection: redis, prefix });
  await t.sql`DELETE FROM "JobOutbox"`;
});
afterEach(async () => {
  for (const p of procs.splice(0)) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
  await Promise.all(relays.splice(0).map((r) => r.shutdown("test over")));
  await producer.close();
  redis.disconnect();
  await obliteratePrefix(prefix);
});

it("a booking committed with its reminder's outbox row gives exactly one job; a rolled-back one gives none", async () => {
  await relayInProcess();
  const committed = await bookWithReminder("commit");
  const rolledBack = await bookWithReminder("rollback");
  // The plain-SQL form, for any other client (here postgres.js), in the same kind of transaction.
  const payout = outboxRow("enqueuePayout", { payoutId: "po_plain_sql" });
  const plain = postgres(t.url, { max: 1, onnotice: () => {} });
  await plain.begin((tx) => tx.unsafe(outboxStatement(payout).text, outboxStatement(payout).values)).finally(() => plain.end());
  await drained();

  const reminders = producer.queue("reminders");
  const job = await reminders.getJob(jobIds.reminder(committed));
  expect(job?.data).toEqual({ bookingId: committed });
  expect(await job!.getState()).toBe("delayed");
  expect(await reminders.getJob(jobIds.reminder(rolledBack))).toBeUndefined();
  expect(await reminders.getJobCounts("delayed", "waiting")).toEqual({ delayed: 1, waiting: 0 });
  expect((await producer.queue("payouts").getJob(jobIds.payout("po_plain_sql")))?.data).toEqual({ payoutId: "po_plain_sql", trigger: "manual" });
  expect(await t.db.select().from(booking).where(eq(booking.id, rolledBack))).toHaveLength(0);
  const rows = await t.db.select().from(jobOutbox);
  expect(rows.map((r) => [r.kind, r.relayCount, r.outcome, r.completedAt !== null])).toEqual(
    expect.arrayContaining([
      ["scheduleBookingReminder", 1, "relayed", true],
      ["enqueuePayout", 1, "relayed", true],
    ]),
  );
  expect(rows).toHaveLength(2);
});

describe("the main app's Prisma 7 client (pg driver adapter), generated from prisma/schema.prisma", () => {
  const appDir = resolve(__dirname, "..");
  beforeAll(() => {
    // `generate` needs no engine, but the CLI looks for the schema engine at start (not downloadable here).
    execFileSync(process.execPath, [resolve(appDir, "node_modules/prisma/build/index.js"), "generate", "--schema", "prisma/schema.prisma"], {
      cwd: appDir,
      env: { ...testEnv.childBase, PRISMA_SCHEMA_ENGINE_BINARY: "/bin/true", PRISMA_ENGINES_CHECKSUM_IGNORE_MISSING: "1" },
      stdio: "pipe",
    });
  }, 120_000);
  const mainApp = (outcome: "commit" | "rollback"): string => {
    const input = { databaseUrl: t.url, outcome, userId: world.clientId, callOfferId: world.callOfferId, callDateTime: CALL.toISOString() };
    const run = spawnSync(process.execPath, ["--import", "tsx", "prisma/main-app.mts", JSON.stringify(input)], {
      cwd: appDir,
      env: testEnv.childBase,
      encoding: "utf8",
    });
    const id = /booking (\S+) /.exec(run.stdout)?.[1];
    if (run.status !== 0 || !id) throw new Error(`main-app.mts failed (${run.status}):\n${run.stdout}${run.stderr}`);
    return id;
  };

  it("commits a booking with its reminder's outbox row → one job; rolls back → none", async () => {
    await relayInProcess();
    const committed = mainApp("commit");
    const rolledBack = mainApp("rollback");
    await drained();
    const reminders = producer.queue("reminders");
    expect((await reminders.getJob(jobIds.reminder(committed)))?.data).toEqual({ bookingId: committed });
    expect(await reminders.getJob(jobIds.reminder(rolledBack))).toBeUndefined();
    expect(await reminders.getJobCounts("delayed", "waiting")).toEqual({ delayed: 1, waiting: 0 });
    expect(await t.db.select().from(booking).where(eq(booking.id, rolledBack))).toHaveLength(0);
    const rows = await t.db.select().from(jobOutbox);
    expect(rows.map((r) => [r.kind, r.jobId, r.input])).toEqual([
      ["scheduleBookingReminder", jobIds.reminder(committed), { bookingId: committed, callDateTime: CALL.toISOString() }],
    ]);
  }, 120_000);
});

it("a relay SIGKILLed between adding the job and marking the row: still one job, the row marked by the next relay", async () => {
  const id = await bookWithReminder("commit");
  // A SHARE lock on the table lets the relay claim the row (FOR UPDATE) and add its job, but its
  // UPDATE marking the row relayed waits for the lock: the window, held open by the database.
  const holder = await t.sql.reserve();
  try {
    await holder`BEGIN`;
    await holder`LOCK TABLE "JobOutbox" IN SHARE MODE`;
    const relay = relayProcess();
    await waitFor("the job added to Redis", () => producer.queue("reminders").getJob(jobIds.reminder(id)));
    await waitFor("the relay's mark waiting on the lock", async () => {
      const [row] = await t.sql`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'outbox-relay' AND wait_event_type = 'Lock' AND query LIKE 'UPDATE%relayedAt%'`;
      return row!.n > 0;
    });
    relay.child.kill("SIGKILL");
    expect(await relay.exited).toBe("SIGKILL");
    await holder`ROLLBACK`;
  } finally {
    holder.release();
  }
  const [row] = await t.db.select().from(jobOutbox);
  expect(row!.relayedAt).toBeNull(); // its transaction died with the process

  await relayInProcess();
  await drained();
  const [after] = await t.db.select().from(jobOutbox);
  expect(after!.relayCount).toBe(1);
  // The job was still in Redis when the next relay added its id again: BullMQ kept the first one.
  expect(await producer.queue("reminders").getJobCounts("delayed", "waiting")).toEqual({ delayed: 1, waiting: 0 });
}, 60_000);

it("re-checks undelivered emails at start, not one interval later, and once per interval across copies", async () => {
  const input = {
    template: "payment_received" as const,
    props: { recipientName: "Ana", amount: 5000, currency: "eur" },
    to: "ana@example.com",
    idempotencyKey: `payment_received:recheck-${prefix}`,
  };
  // Relayed ten minutes ago, never delivered, and no longer in Redis (lost with its data).
  const row = await t.db.transaction((tx) => enqueueInDrizzleTransaction(tx, "enqueueEmail", input));
  await t.sql`UPDATE "JobOutbox" SET "relayedAt" = now() AT TIME ZONE 'UTC' - interval '10 minutes', "relayCount" = 1 WHERE id = ${row.id}`;
  // The defaults: re-check what was relayed 5 min ago, every minute.
  await relayInProcess();
  const readded = await waitFor("the email added again by the start's re-check", () => producer.queue("emails").getJob(row.jobId));
  expect(readded.data).toMatchObject({ to: "ana@example.com" });
  // The relay adds the job, then marks its row: the count is waited for, not read at once.
  const relayCountIs = (n: number) => async () => (await t.db.select().from(jobOutbox).where(eq(jobOutbox.id, row.id)))[0]!.relayCount === n;
  await waitFor("the row marked relayed again", relayCountIs(2));
  // The slot is taken for the interval (one re-check per interval across copies); once it lapses,
  // whichever copy polls next re-checks.
  expect(await redis.pttl(recheckSlotKey(prefix))).toBeGreaterThan(0);
  await producer.queue("emails").remove(row.jobId);
  await t.sql`UPDATE "JobOutbox" SET "checkedAt" = now() AT TIME ZONE 'UTC' - interval '10 minutes' WHERE id = ${row.id}`;
  await redis.del(recheckSlotKey(prefix));
  await waitFor("the email added again once the slot was free", () => producer.queue("emails").getJob(row.jobId));
  await waitFor("the row marked relayed a third time", relayCountIs(3));
}, 60_000);

it("an email its job queued in PendingEmail is not added again when Redis lost the job; one Resend refused closes its row as failed, with the reason", async () => {
  const email = (n: string) => ({
    template: "payment_received" as const,
    props: { recipientName: "Ana", amount: 5000, currency: "eur" },
    to: "ana@example.com",
    idempotencyKey: `payment_received:${n}-${prefix}`,
  });
  const queued = await t.db.transaction((tx) => enqueueInDrizzleTransaction(tx, "enqueueEmail", email("queued")));
  const refused = await t.db.transaction((tx) => enqueueInDrizzleTransaction(tx, "enqueueEmail", email("refused")));
  // Both relayed ten minutes ago and gone from Redis: the first waits in "PendingEmail" (its job
  // completed and was removed), the second was refused in a batch (its email-failed:<key> row).
  await t.sql`UPDATE "JobOutbox" SET "relayedAt" = now() AT TIME ZONE 'UTC' - interval '10 minutes', "relayCount" = 1 WHERE id IN (${queued.id}, ${refused.id})`;
  await t.sql`INSERT INTO "PendingEmail" ("idempotencyKey", priority, "emailType", "recipientEmail", message, "auditContext")
    VALUES (${queued.idempotencyKey}, 1, 'payment_received', 'ana@example.com', '{}', '{}')`;
  await t.sql`INSERT INTO "Log" (id, type, status, message, error, "createdAt")
    VALUES (${`email-failed:${refused.idempotencyKey!}`}, 'EMAIL_ERROR', 'ERROR', 'Email payment_received failed', 'Resend refused the email: invalid to', now())`;
  await relayInProcess();
  const rowOf = async (id: string) => (await t.db.select().from(jobOutbox).where(eq(jobOutbox.id, id)))[0]!;
  await waitFor("the refused email's row closed", async () => (await rowOf(refused.id)).completedAt !== null);
  expect(await rowOf(refused.id)).toMatchObject({ outcome: "failed", lastError: "Resend refused the email: invalid to" });
  await waitFor("the queued email's row checked", async () => (await rowOf(queued.id)).checkedAt !== null);
  expect(await rowOf(queued.id)).toMatchObject({ completedAt: null, relayCount: 1 });
  expect(await producer.queue("emails").getJob(queued.jobId)).toBeUndefined();
  await t.sql`DELETE FROM "PendingEmail" WHERE "idempotencyKey" = ${queued.idempotencyKey}`;
}, 60_000);

describe("the relay's watchdog", () => {
  let proxy: TcpProxy;
  beforeAll(async () => {
    const admin = new URL(testEnv.adminDatabaseUrl);
    proxy = await startTcpProxy(Number(admin.port || 5432), admin.hostname);
  });
  afterAll(() => proxy.close());

  it("restarts a relay whose passes never end, fails /healthz while a fresh one stalls too, and recovers when the network answers", async () => {
    const url = new URL(t.url);
    url.hostname = "127.0.0.1";
    url.port = String(proxy.port);
    const app = await relayInProcess({ DATABASE_URL: url.toString(), METRICS_PORT: String(await freePort()), METRICS_HOST: "127.0.0.1", LOOP_STALL_AFTER_MS: "1500" });
    const health = async () => {
      const res = await fetch(`http://127.0.0.1:${app.metricsPort}/healthz`);
      return { status: res.status, body: (await res.json()) as { loops: Array<{ stalled: boolean; restarts: number }> } };
    };
    expect((await health()).status).toBe(200);
    // The network goes silent: no reset, no answer. Every query sent now waits forever.
    proxy.freeze();
    try {
      const stalled = await waitFor("/healthz failing", async () => ((await health()).status === 503 ? await health() : null), { timeoutMs: 30_000 });
      expect(stalled.body.loops[0]).toMatchObject({ stalled: true });
      expect(stalled.body.loops[0]!.restarts).toBeGreaterThanOrEqual(1);
      const metrics = await (await fetch(`http://127.0.0.1:${app.metricsPort}/metrics`)).text();
      expect(metrics).toMatch(/callastar_loop_restarts_total\{[^}]*loop="outbox relay"[^}]*\} [1-9]/);
      expect(metrics).toMatch(/callastar_loop_stalled\{[^}]*loop="outbox relay"[^}]*\} 1/);
    } finally {
      proxy.thaw();
    }
    await waitFor("/healthz passing again", async () => (await health()).status === 200, { timeoutMs: 30_000 });
    const committed = await bookWithReminder("commit");
    await waitFor("the relay relaying again", () => producer.queue("reminders").getJob(jobIds.reminder(committed)));
  }, 90_000);
});

it("two relay copies: every row becomes one job, claimed by one copy only", async () => {
  const copies = [relayProcess({ OUTBOX_BATCH_SIZE: "7" }), relayProcess({ OUTBOX_BATCH_SIZE: "7" })];
  await Promise.all(copies.map((c) => c.waitForOutput("relaying")));
  const payoutIds = Array.from({ length: 120 }, (_, i) => `po_${i}`);
  // Many small transactions, so both copies are woken and claim while rows keep arriving.
  for (let i = 0; i < payoutIds.length; i += 4) {
    await t.db.transaction(async (tx) => {
      for (const payoutId of payoutIds.slice(i, i + 4)) await enqueueInDrizzleTransaction(tx, "enqueuePayout", { payoutId });
    });
  }
  await drained();
  const rows = await t.db.select({ relayCount: jobOutbox.relayCount }).from(jobOutbox);
  expect(rows).toHaveLength(120);
  expect(rows.every((r) => r.relayCount === 1)).toBe(true);
  const jobs = await producer.queue("payouts").getJobs(["waiting"]);
  expect(jobs.map((j) => j.id).sort()).toEqual(payoutIds.map(jobIds.payout).sort());
}, 60_000);

describe("an ad-hoc email when Redis loses its data", () => {
  let resend: ResendStandin;
  let ownRedis: RedisServer;
  beforeAll(async () => {
    resend = await startResendStandin({ rateLimitPerSecond: 0 });
    ownRedis = await startRedisServer();
  });
  afterAll(async () => {
    await resend.close();
    await ownRedis.stop();
  });

  it("flushed after relaying and before sending: the email is still delivered, once", async () => {
    const own = new Redis(ownRedis.url, { maxRetriesPerRequest: 1 });
    const ownProducer = new Producer({ connection: own, prefix });
    try {
      await relayInProcess({ REDIS_URL: ownRedis.url, OUTBOX_EMAIL_RECHECK_AFTER_MS: "300", OUTBOX_EMAIL_RECHECK_INTERVAL_MS: "100" });
      const input = {
        template: "payment_received" as const,
        props: { recipientName: "Ana", amount: 5000, currency: "eur" },
        to: "ana@example.com",
        bookingId: world.bookingId,
        idempotencyKey: `payment_received:${world.bookingId}`,
      };
      const row = await t.db.transaction((tx) => enqueueInDrizzleTransaction(tx, "enqueueEmail", input));
      const emails = ownProducer.queue("emails");
      await waitFor("the email job in Redis", () => emails.getJob(row.jobId));
      await drained();
      await own.flushall(); // Redis lost everything: the job existed nowhere else

      const worker = spawnApp("email-worker", {
        NODE_ENV: "test",
        DATABASE_URL: t.url,
        REDIS_URL: ownRedis.url,
        QUEUE_PREFIX: prefix,
        RESEND_API_KEY: resend.apiKey,
        RESEND_BASE_URL: resend.url,
        EMAIL_FROM: "Call a Star <noreply@callastar.test>",
        APP_URL: "https://app.callastar.test",
        EMAIL_RATE_LIMIT_PER_SECOND: "0",
      });
      procs.push(worker);
      await worker.waitForOutput("consuming");
      const [done] = await waitFor("the outbox row closed as delivered", async () => {
        const r = await t.db.select().from(jobOutbox).where(eq(jobOutbox.id, row.id));
        return r[0]?.outcome === "delivered" ? r : null;
      });
      expect(done!.relayCount).toBe(2); // relayed, then added again by the re-check
      // Drain to a known point: the worker has nothing left, then count what reached the provider.
      await waitFor("the email job completed", async () => (await emails.getJobCounts("completed")).completed === 1);
      const key = row.idempotencyKey!;
      // In a batch request (under the batch's key): the email is the one to ana@.
      await waitFor("no batch left", async () => (await t.sql`SELECT 1 FROM "EmailBatch"`).length === 0);
      expect(resend.deliveries.filter((d) => String(d.to) === "ana@example.com")).toHaveLength(1);
      expect(await t.db.select().from(emailDelivery).where(eq(emailDelivery.idempotencyKey, key))).toHaveLength(1);
      const sent = await t.db.select().from(log).where(inArray(log.type, ["EMAIL_SENT"]));
      expect(sent.filter((r) => (r.context as { idempotencyKey?: string }).idempotencyKey === key)).toHaveLength(1);
      worker.child.kill("SIGTERM");
      expect(await worker.exited).toBe(0);
    } finally {
      await ownProducer.close();
      own.disconnect();
    }
  }, 90_000);
});
