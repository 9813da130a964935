// Reminders prepared ahead of their due time: rendered and queued before it, their reminder jobs
// removed, gathered into full batches, sent at it and never before; a call cancelled or moved after
// its reminder was prepared is not reminded from what was prepared.
import { Redis } from "ioredis";
import { eq, inArray } from "drizzle-orm";
import { booking, callOffer, pendingEmail } from "@callastar/db";
import { createResendTransport } from "@callastar/emails";
import { createAuditLogger, type AuditLogger } from "@callastar/audit-log";
import { startResendStandin, type ResendStandin } from "@callastar/standins";
import { jobIds } from "@callastar/queues";
import { Producer } from "@callastar/producer";
import { createTestDatabase, obliteratePrefix, seedBooking, testEnv, uniquePrefix, waitFor, type SeededBooking, type TestDatabase } from "@callastar/testing";
import { startBatchSender } from "./batch-sender";
import { batchesDrained, noPacing } from "./batch-test-kit";
import { createMailer } from "./mailer";
import { startPrepareAhead } from "./prepare-ahead";

const LEAD_MS = 15 * 60_000;
let t: TestDatabase;
let logger: AuditLogger;
let resend: ResendStandin;
let redis: Redis;
let producer: Producer;
const prefix = uniquePrefix("ahead");

beforeAll(async () => {
  t = await createTestDatabase();
  logger = createAuditLogger({ db: t });
  resend = await startResendStandin({ rateLimitPerSecond: 0 });
  redis = new Redis(testEnv.redisUrl, { maxRetriesPerRequest: null });
  producer = new Producer({ connection: redis, prefix, reminderLeadMinutes: LEAD_MS / 60_000 });
});
afterAll(async () => {
  await producer.close();
  await obliteratePrefix(prefix);
  redis.disconnect();
  await resend.close();
  await logger.close();
  await t.drop();
});

it("60 reminders due in 12 s: prepared before (their jobs removed), sent in full batches at the due time and never before; a cancelled and a moved call are not reminded", async () => {
  // 12 s leaves a loaded machine time to seed 62 bookings and render 124 emails before they fall due.
  const dueAt = Date.now() + 12_000;
  const callAt = new Date(dueAt + LEAD_MS);
  const bookings: SeededBooking[] = await Promise.all(Array.from({ length: 62 }, (_, i) => seedBooking(t, { callDateTime: callAt, label: `ahead${i}x${dueAt}` })));
  const [cancelled, moved] = bookings as [SeededBooking, SeededBooking];
  const reminders = producer.queue("reminders");
  await Promise.all(bookings.map((b) => producer.scheduleBookingReminder({ bookingId: b.bookingId, callDateTime: callAt })));
  const transport = createResendTransport({ apiKey: resend.apiKey, baseUrl: resend.url, timeoutMs: 5_000 });
  const mailer = createMailer({ db: t, transport, pacer: noPacing, from: "Call a Star <noreply@callastar.test>" });
  const preparer = startPrepareAhead({ deps: { db: t, logger, mailer, appUrl: "https://app.test", leadMs: LEAD_MS }, reminders, aheadMs: 30_000, pollMs: 200 });
  const sender = startBatchSender({ db: t, transport, pacer: noPacing, pollMs: 20, reminderLeadMs: LEAD_MS });
  try {
    await waitFor("all 124 emails prepared", async () => (await t.db.select({ k: pendingEmail.idempotencyKey }).from(pendingEmail)).length === 124, { timeoutMs: 12_000 });
    expect(Date.now()).toBeLessThan(dueAt - 500);
    expect(resend.requests).toBe(0);
    // Every prepared booking's job is gone: none of them runs at the due second for nothing.
    await waitFor("the prepared bookings' jobs removed", async () => (await Promise.all(bookings.map((b) => reminders.getJob(jobIds.reminder(b.bookingId))))).every((j) => !j), {
      timeoutMs: 5_000,
    });
    // After their reminders were prepared: one call cancelled, one moved an hour later.
    await t.db.update(booking).set({ status: "CANCELLED" }).where(eq(booking.id, cancelled.bookingId));
    await t.db.update(callOffer).set({ dateTime: new Date(callAt.getTime() + 3_600_000) }).where(eq(callOffer.id, moved.callOfferId));

    await waitFor("drained", () => batchesDrained(t), { timeoutMs: 20_000 });
    const received = resend.deliveries.map((d) => Date.parse(d.receivedAt) - dueAt);
    expect(received).toHaveLength(120);
    expect(Math.min(...received)).toBeGreaterThanOrEqual(0);
    expect(Math.min(...received)).toBeLessThan(1_000);
    // 120 emails: 100 + 20, the first full.
    expect(resend.requests).toBe(2);
    const html = resend.deliveries.map((d) => d.html ?? "").join("\n");
    expect(html).not.toContain(cancelled.bookingId);
    expect(html).not.toContain(moved.bookingId);
    const marks = await t.db.select({ id: booking.id, sent: booking.reminderSent }).from(booking).where(inArray(booking.id, [cancelled.bookingId, moved.bookingId]));
    // The moved call is reminded again at its new time.
    expect(Object.fromEntries(marks.map((m) => [m.id, m.sent]))).toEqual({ [cancelled.bookingId]: true, [moved.bookingId]: false });
  } finally {
    await preparer.stop();
    await sender.stop();
  }
}, 60_000);
