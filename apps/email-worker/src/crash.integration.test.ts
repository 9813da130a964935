import { and, eq, inArray, sql } from "drizzle-orm";
import { booking, log } from "@callastar/db";
import { seedBooking, waitFor, waitForDrained } from "@callastar/testing";
import { useWorkerProcesses } from "./worker-processes";

// Real worker processes: SIGKILL them while their batch request is at Resend, start another, and
// nothing is lost or sent twice (the killed copies' leases lapse, the next copy takes their batches
// over); SIGTERM lets the batch in hand finish, flushes the audit log and exits 0.
const LEAD_MS = 15 * 60_000;
const w = useWorkerProcesses("crash", { perTest: true });

const worker = () =>
  w.spawn({
    REMINDERS_CONCURRENCY: "4",
    WORKER_LOCK_DURATION_MS: "2000",
    WORKER_STALLED_INTERVAL_MS: "1000",
    // A killed copy's batch is taken over when its lease lapses.
    EMAIL_BATCH_LEASE_MS: "3000",
  });

it("workers SIGKILLed after sending a batch request and before recording it: every reminder delivered once, the retry replayed", async () => {
  const { t, resend, producer } = w;
  // Each batch request is held 400 ms before Resend accepts it: the window the kills land in.
  resend.setFaults({ slowMs: 400 });
  const BOOKINGS = 60;
  const bookings = await Promise.all(
    Array.from({ length: BOOKINGS }, (_, i) => seedBooking(t, { callDateTime: new Date(Date.now() + LEAD_MS), label: `k${i}${Date.now()}` })),
  );
  for (const b of bookings) await producer.scheduleBookingReminder({ bookingId: b.bookingId, callDateTime: b.callDateTime });
  // Each victim is killed while one of its batch requests is at Resend, which accepts it after the
  // victim is gone: its membership and attempt mark are committed, its record is not.
  for (let kill = 0; kill < 3; kill++) {
    const victim = worker();
    await waitFor("a batch request in flight", () => resend.inFlight > 0, { timeoutMs: 60_000, intervalMs: 5 });
    victim.child.kill("SIGKILL");
    expect(await victim.exited).toBe("SIGKILL");
    await waitFor("the victim's request answered", () => resend.inFlight === 0, { intervalMs: 5 });
  }
  expect(await t.sql`SELECT 1 FROM "EmailBatch" WHERE "attemptedAt" IS NOT NULL`).not.toHaveLength(0);

  const second = worker();
  const ids = bookings.map((b) => b.bookingId);
  const sentRows = () =>
    t.db
      .select({ id: log.id, bookingId: sql<string>`${log.context}->>'bookingId'` })
      .from(log)
      .where(eq(log.type, "EMAIL_SENT"))
      .then((rows) => rows.filter((r) => ids.includes(r.bookingId)));
  await waitFor("every reminder recorded", async () => (await sentRows()).length === 2 * BOOKINGS, { timeoutMs: 60_000 }).catch(
    (error: unknown) => {
      throw new Error(`${String(error)}\nsecond worker output:\n${second.output().slice(-3000)}`);
    },
  );
  // Drained to a known point: no reminder job, no batch left and no request in flight, so a late
  // duplicate would already be among the deliveries.
  await waitForDrained(producer.queue("reminders"));
  await waitFor("no batch left", async () => (await t.sql`SELECT 1 FROM "EmailBatch"`).length === 0);
  await waitFor("no send in flight", () => resend.inFlight === 0);

  const emails = resend.deliveries.map((d) => String(d.to));
  expect(emails).toHaveLength(2 * BOOKINGS);
  expect(new Set(emails).size).toBe(2 * BOOKINGS);
  // The batches the victims had sent were presented again, same key and body: Resend replayed them.
  expect(resend.replays.length).toBeGreaterThan(0);
  const rows = await sentRows();
  expect(new Set(rows.map((r) => r.id)).size).toBe(2 * BOOKINGS);
  const marked = await t.db.select({ id: booking.id }).from(booking).where(and(inArray(booking.id, ids), eq(booking.reminderSent, true)));
  expect(marked).toHaveLength(BOOKINGS);

  second.child.kill("SIGTERM");
  expect(await second.exited).toBe(0);
}, 180_000);

it("SIGTERM lets the batch in hand finish, flushes its audit rows, and exits 0", async () => {
  const { t, resend, producer } = w;
  resend.setFaults({ slowMs: 1_500 });
  const b = await seedBooking(t, { callDateTime: new Date(Date.now() + LEAD_MS) });
  const p = worker();
  await p.waitForOutput("consuming");
  await producer.scheduleBookingReminder({ bookingId: b.bookingId, callDateTime: b.callDateTime });
  await waitFor("a send in flight", () => resend.requests >= 1);
  p.child.kill("SIGTERM");
  expect(await p.exited).toBe(0);
  expect(p.output()).toContain("workers closed");
  expect(p.output()).toContain("background loop closed");
  // The batch being sent was answered and recorded before the worker let go.
  expect(resend.deliveries.length).toBe(2);
  const rows = await t.db.select().from(log).where(and(eq(log.type, "EMAIL_SENT"), sql`${log.context}->>'bookingId' = ${b.bookingId}`));
  expect(rows.length).toBe(resend.deliveries.length);
}, 60_000);
