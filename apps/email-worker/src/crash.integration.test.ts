import { and, eq, inArray, sql } from "drizzle-orm";
import { Redis } from "ioredis";
import { booking, log } from "@callastar/db";
import { Producer } from "@callastar/queues";
import { startResendStandin, type ResendStandin } from "@callastar/standins";
import {
  createTestDatabase,
  obliteratePrefix,
  seedBooking,
  spawnApp,
  testEnv,
  uniquePrefix,
  waitFor,
  waitForDrained,
  type AppProcess,
  type TestDatabase,
} from "@callastar/testing";
import { emailWorkerProcessEnv } from "./test-env";

// Real worker processes: SIGKILL one in the middle of a batch, start another, and nothing is lost
// or sent twice; SIGTERM lets the active job finish, flushes the audit log and exits 0.
const LEAD_MS = 15 * 60_000;
let t: TestDatabase;
let resend: ResendStandin;
let prefix: string;
let redis: Redis;
let producer: Producer;
const procs: AppProcess[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  resend = await startResendStandin({ rateLimitPerSecond: 0 });
});
afterAll(async () => {
  await resend.close();
  await t.drop();
});
beforeEach(() => {
  prefix = uniquePrefix("crash");
  resend.reset();
  redis = new Redis(testEnv.redisUrl, { maxRetriesPerRequest: 1 });
  producer = new Producer({ connection: redis, prefix });
});
afterEach(async () => {
  for (const p of procs.splice(0)) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
  await producer.close();
  redis.disconnect();
  await obliteratePrefix(prefix);
});

const worker = (extra: Record<string, string> = {}) => {
  const p = spawnApp("email-worker", {
    ...emailWorkerProcessEnv({ databaseUrl: t.url, redisUrl: testEnv.redisUrl, prefix, resend }),
    REMINDERS_CONCURRENCY: "4",
    WORKER_LOCK_DURATION_MS: "2000",
    WORKER_STALLED_INTERVAL_MS: "1000",
    ...extra,
  });
  procs.push(p);
  return p;
};

it("a worker SIGKILLed in the middle of a batch loses nothing and sends nothing twice", async () => {
  resend.setFaults({ slowMs: 150 });
  const bookings = await Promise.all(
    Array.from({ length: 20 }, (_, i) => seedBooking(t, { callDateTime: new Date(Date.now() + LEAD_MS), label: `k${i}${Date.now()}` })),
  );
  const first = worker();
  await first.waitForOutput("consuming");
  for (const b of bookings) await producer.scheduleBookingReminder({ bookingId: b.bookingId, callDateTime: b.callDateTime });
  await waitFor("a few deliveries", () => resend.deliveries.length >= 8);
  first.child.kill("SIGKILL");
  expect(await first.exited).toBe("SIGKILL");
  expect(resend.deliveries.length).toBeLessThan(40); // killed mid-batch

  const second = worker();
  await second.waitForOutput("consuming");
  await waitFor("all 40 reminders delivered", () => resend.deliveries.length >= 40, { timeoutMs: 40_000 });
  const ids = bookings.map((b) => b.bookingId);
  await waitFor("every booking marked reminded", async () => {
    const rows = await t.db.select({ id: booking.id }).from(booking).where(and(inArray(booking.id, ids), eq(booking.reminderSent, true)));
    return rows.length === ids.length;
  }).catch(async (error: unknown) => {
    // Say which jobs are stuck and why, so a failure here is diagnosable from CI's output alone.
    const jobs = await producer.queue("reminders").getJobs(["failed", "delayed", "wait", "active"]);
    const states = await Promise.all(jobs.map(async (j) => `${j.id} ${await j.getState()} attempts=${j.attemptsMade} ${j.failedReason ?? ""}`));
    throw new Error(`${String(error)}\n${states.join("\n")}\nsecond worker output:\n${second.output().slice(-3000)}`);
  });
  // Drained to a known point: no reminder job left to run and no send in flight, so a late
  // duplicate would already be among the deliveries.
  await waitForDrained(producer.queue("reminders"));
  await waitFor("no send in flight", () => resend.inFlight === 0);

  // One delivery per booking and recipient, whether it went out alone or in the booking's batch.
  const emails = resend.deliveries.map((d) => `${d.idempotencyKey?.split(":")[1]}→${String(d.to)}`);
  expect(emails).toHaveLength(40);
  expect(new Set(emails).size).toBe(40);
  const sent = await t.db
    .select({ bookingId: sql<string>`${log.context}->>'bookingId'`, emailType: sql<string>`${log.context}->>'emailType'` })
    .from(log)
    .where(eq(log.type, "EMAIL_SENT"));
  const perEmail = new Map<string, number>();
  for (const r of sent.filter((r) => ids.includes(r.bookingId))) {
    const k = `${r.bookingId}/${r.emailType}`;
    perEmail.set(k, (perEmail.get(k) ?? 0) + 1);
  }
  expect(perEmail.size).toBe(40);
  expect([...perEmail.values()].every((n) => n === 1)).toBe(true);

  second.child.kill("SIGTERM");
  expect(await second.exited).toBe(0);
}, 90_000);

it("SIGTERM lets the active job finish, flushes its audit rows, and exits 0", async () => {
  resend.setFaults({ slowMs: 1_500 });
  const b = await seedBooking(t, { callDateTime: new Date(Date.now() + LEAD_MS) });
  const p = worker();
  await p.waitForOutput("consuming");
  await producer.scheduleBookingReminder({ bookingId: b.bookingId, callDateTime: b.callDateTime });
  await waitFor("a send in flight", () => resend.requests >= 1);
  p.child.kill("SIGTERM");
  expect(await p.exited).toBe(0);
  expect(p.output()).toContain("workers closed");
  // The job that was running finished its first email before the worker let go.
  expect(resend.deliveries.length).toBeGreaterThanOrEqual(1);
  const rows = await t.db.select().from(log).where(and(eq(log.type, "EMAIL_SENT"), sql`${log.context}->>'bookingId' = ${b.bookingId}`));
  expect(rows.length).toBe(resend.deliveries.length);
}, 60_000);
