// The batch sender against the Resend stand-in (through the real SDK) and the real database:
// reminders of many bookings share requests of at most 100 emails, each delivered and recorded
// once; a refused address, a cancelled or moved booking, 429 storms and 5xx answers hold nothing back.
import { and, eq, inArray, sql } from "drizzle-orm";
import { booking, callOffer, emailDelivery, log, user } from "@callastar/db";
import { createResendTransport } from "@callastar/emails";
import { createAuditLogger, type AuditLogger } from "@callastar/audit-log";
import { verifyAudit } from "@callastar/reconciler";
import { startResendStandin, type ResendStandin } from "@callastar/standins";
import { createTestDatabase, waitFor, type SeededBooking, type TestDatabase } from "@callastar/testing";
import { startBatchSender } from "./batch-sender";
import type { SendPacer } from "./send-pacer";
import { batchesDrained, deliveriesPerRecipient, noPacing, queueReminders, reminderKeys, seedDue } from "./batch-test-kit";
import { createBatchStore } from "./email-batches";
import { createEmailRecorder } from "./email-record";

let t: TestDatabase;
let logger: AuditLogger;
let resend: ResendStandin;

beforeAll(async () => {
  t = await createTestDatabase();
  logger = createAuditLogger({ db: t });
});
afterAll(async () => {
  await logger.close();
  await t.drop();
});
beforeEach(async () => {
  resend = await startResendStandin({ rateLimitPerSecond: 0 });
});
afterEach(() => resend.close());

const transport = () => createResendTransport({ apiKey: resend.apiKey, baseUrl: resend.url, timeoutMs: 5_000 });
const seed = (n: number, label: string) => seedDue(t, n, label);
const queue = (bookings: readonly SeededBooking[]) => queueReminders({ t, logger, transport: transport() }, bookings);
const senders = (n: number) => Array.from({ length: n }, () => startBatchSender({ db: t, transport: transport(), pacer: noPacing, pollMs: 20 }));
const stopAll = (loops: ReadonlyArray<{ stop(): Promise<void> }>) => Promise.all(loops.map((l) => l.stop()));
const rowsOf = async (type: "EMAIL_SENT" | "EMAIL_ERROR" | "NOTIFICATION_SENT", bookings: readonly SeededBooking[]) => {
  await logger.flush(5_000);
  const ids = bookings.map((b) => b.bookingId);
  return (await t.db.select().from(log).where(eq(log.type, type))).filter((r) => ids.includes(String(r.context?.bookingId)));
};
const drained = () => batchesDrained(t);
// The reconciler over everything these tests queued: reminders due now, checked without a grace period.
const books = () => verifyAudit(t.db, { until: new Date(Date.now() + 3600_000), bounds: { reminderGraceMinutes: 1 / 60 } });
const perRecipient = () => deliveriesPerRecipient(resend);

it("reminders of 120 bookings go out in requests of at most 100 emails, each delivered and recorded once", async () => {
  const bookings = await seed(120, "many");
  await queue(bookings);
  const loops = senders(3);
  await waitFor("all recorded", async () => (await rowsOf("EMAIL_SENT", bookings)).length === 240, { timeoutMs: 60_000 });
  await waitFor("drained", drained);
  await stopAll(loops);

  // 240 emails in 3 requests of at most 100, each under its batch's key, on the batch endpoint. Three
  // loops claim at once: SKIP LOCKED may interleave their picks (96 + 44 + 100 as well as 100 + 100 + 40).
  expect(resend.requests).toBe(3);
  const perBatch = new Map<string, number>();
  for (const d of resend.deliveries) perBatch.set(d.idempotencyKey!, (perBatch.get(d.idempotencyKey!) ?? 0) + 1);
  expect([...perBatch.values()].every((n) => n <= 100)).toBe(true);
  expect([...perBatch.values()].reduce((a, b) => a + b, 0)).toBe(240);
  expect(resend.deliveries.every((d) => d.endpoint === "/emails/batch" && d.idempotencyKey!.startsWith("email-batch:"))).toBe(true);
  expect([...perRecipient().values()].every((n) => n === 1)).toBe(true);
  expect(perRecipient().size).toBe(240);
  // Each email's delivery record and its EMAIL_SENT row (id email-sent:<key>).
  const keys = reminderKeys(bookings);
  const deliveries = await t.db.select().from(emailDelivery).where(inArray(emailDelivery.idempotencyKey, keys));
  expect(deliveries).toHaveLength(240);
  expect(new Set(resend.deliveries.map((d) => d.id))).toEqual(new Set(deliveries.map((d) => d.providerMessageId)));
  expect((await rowsOf("EMAIL_SENT", bookings)).map((r) => r.id).sort()).toEqual(keys.map((k) => `email-sent:${k}`).sort());
  // The books agree: every email has its row, every booking marked reminded has its two reminders.
  expect(await books()).toMatchObject({ missing: [], duplicated: [], unfulfilled: [] });
  expect((await books()).checked["reminder-emails"]).toBeGreaterThanOrEqual(120);
});

it("one invalid address among 100 emails: the 99 others are delivered, the refused one gets its final EMAIL_ERROR row", async () => {
  const bookings = await seed(50, "inv");
  const victim = bookings[17]!;
  await t.db.update(user).set({ email: "not-an-address" }).where(eq(user.id, victim.clientId));
  await queue(bookings);
  const loops = senders(1);
  await waitFor("drained", drained, { timeoutMs: 30_000 });
  await stopAll(loops);

  expect(resend.requests).toBe(1);
  expect(resend.deliveries).toHaveLength(99);
  expect(resend.deliveries.some((d) => String(d.to) === "not-an-address")).toBe(false);
  expect(await rowsOf("EMAIL_SENT", bookings)).toHaveLength(99);
  const errors = await rowsOf("EMAIL_ERROR", bookings);
  expect(errors.map((r) => r.id)).toEqual([`email-failed:booking_reminder:${victim.bookingId}:client`]);
  expect(errors[0]!.context).toMatchObject({ recipientEmail: "not-an-address", final: true, stage: "send", emailType: "booking_reminder_client" });
  expect(errors[0]!.error).toContain("`to`");
});

it("a booking cancelled or moved after its emails were batched, before the request: not sent, and the skip is audited", async () => {
  const bookings = await seed(3, "cxl");
  const [cancelled, moved, kept] = bookings as [SeededBooking, SeededBooking, SeededBooking];
  await queue(bookings);
  // A copy batches them (membership committed) and goes away: its lease lapses at once...
  const store = createBatchStore(t, createEmailRecorder(t, "resend"));
  expect(await store.claim("gone-copy", "email-batch:test-cancel", 100, 1)).toBe("email-batch:test-cancel");
  // ...then the main app cancels one booking and moves another before the request goes.
  await t.db.update(booking).set({ status: "CANCELLED" }).where(eq(booking.id, cancelled.bookingId));
  const [offer] = await t.db.select({ id: booking.callOfferId }).from(booking).where(eq(booking.id, moved.bookingId));
  const later = new Date(moved.callDateTime.getTime() + 3_600_000);
  await t.db.update(callOffer).set({ dateTime: later }).where(eq(callOffer.id, offer!.id));
  const loops = senders(1);
  await waitFor("drained", drained, { timeoutMs: 30_000 });
  await stopAll(loops);

  expect(resend.deliveries.map((d) => d.html?.includes(kept.bookingId))).toEqual([true, true]);
  expect(resend.deliveries.every((d) => d.idempotencyKey === "email-batch:test-cancel")).toBe(true);
  const skips = await rowsOf("NOTIFICATION_SENT", bookings);
  expect(skips.map((r) => [r.id, (r.context as { reason: string }).reason]).sort()).toEqual(
    [
      [`reminder-skip:${cancelled.bookingId}:${cancelled.callDateTime.toISOString()}`, "not_confirmed"],
      [`reminder-skip:${moved.bookingId}:${moved.callDateTime.toISOString()}`, "call_moved"],
    ].sort(),
  );
  // The reconciler accepts the skip rows as the cancelled booking's outcome.
  expect((await books()).unfulfilled).toEqual([]);
  // The moved booking is reminded again for its new time: its mark is reset.
  const marks = await t.db.select({ id: booking.id, sent: booking.reminderSent }).from(booking).where(inArray(booking.id, bookings.map((b) => b.bookingId)));
  expect(Object.fromEntries(marks.map((m) => [m.id, m.sent]))).toEqual({ [cancelled.bookingId]: true, [moved.bookingId]: false, [kept.bookingId]: true });
});

it("a booking cancelled while its batch waits for its rate-limit slot: not sent either", async () => {
  const bookings = await seed(2, "slot");
  const [cancelled, kept] = bookings as [SeededBooking, SeededBooking];
  await queue(bookings);
  // The main app cancels the booking at the moment the sender is waiting for its slot.
  let waits = 0;
  const pacer: SendPacer = {
    ...noPacing,
    acquire: async () => {
      if (waits++ === 0) await t.db.update(booking).set({ status: "CANCELLED" }).where(eq(booking.id, cancelled.bookingId));
      return noPacing.acquire();
    },
  };
  const loop = startBatchSender({ db: t, transport: transport(), pacer, pollMs: 20 });
  await waitFor("drained", drained, { timeoutMs: 30_000 });
  await loop.stop();
  expect(resend.deliveries.map((d) => d.html?.includes(kept.bookingId))).toEqual([true, true]);
  expect((await rowsOf("NOTIFICATION_SENT", bookings)).map((r) => (r.context as { reason: string }).reason)).toEqual(["not_confirmed"]);
});

it("429 storms: three senders over a 1 req/s Resend are refused again and again, spend no attempt and deliver everything once", async () => {
  await resend.close();
  resend = await startResendStandin({ rateLimitPerSecond: 1 });
  const bookings = await seed(250, "storm");
  await queue(bookings);
  // Batches of 25 (20 requests) from three loops without a limiter of their own: most requests get a 429.
  const loops = Array.from({ length: 3 }, () => startBatchSender({ db: t, transport: transport(), pacer: noPacing, pollMs: 20, batchSize: 25 }));
  await waitFor("drained", drained, { timeoutMs: 120_000 });
  await stopAll(loops);

  expect(resend.rateLimited).toBeGreaterThan(0);
  expect(resend.requests - resend.rateLimited).toBe(20);
  expect(perRecipient().size).toBe(500);
  expect([...perRecipient().values()].every((n) => n === 1)).toBe(true);
  expect(await rowsOf("EMAIL_SENT", bookings)).toHaveLength(500);
  // A 429 is a wait: no error row, no attempt counted.
  await logger.flush(5_000);
  const ids = new Set(bookings.map((b) => b.bookingId));
  const errors = await t.db.select().from(log).where(and(eq(log.type, "EMAIL_ERROR"), sql`${log.createdAt} > now() - interval '10 minutes'`));
  const mine = errors.filter((r) => {
    const c = r.context as { bookingId?: string; bookingIds?: string[] };
    return ids.has(c.bookingId ?? "") || (c.bookingIds ?? []).some((id) => ids.has(id));
  });
  expect(mine).toEqual([]);
}, 180_000);

it("a 5xx writes one EMAIL_ERROR row per failed attempt (not final) and the same request goes again until it is accepted", async () => {
  resend.setFaults({ failNext: 2 });
  const bookings = await seed(5, "flaky");
  await queue(bookings);
  const loops = senders(1);
  await waitFor("drained", drained, { timeoutMs: 30_000 });
  await stopAll(loops);

  expect(resend.requests).toBe(3);
  expect(resend.deliveries).toHaveLength(10);
  await logger.flush(5_000);
  const errors = (await t.db.select().from(log).where(eq(log.type, "EMAIL_ERROR"))).filter((r) => (r.context as { bookingIds?: string[] }).bookingIds?.includes(bookings[0]!.bookingId));
  expect(errors.map((r) => (r.context as { attempt: number; final: boolean }).attempt).sort()).toEqual([1, 2]);
  expect(errors.every((r) => (r.context as { final: boolean; emails: number }).final === false)).toBe(true);
  expect(await rowsOf("EMAIL_SENT", bookings)).toHaveLength(10);
});

it("an idle loop looks less and less often, and a nudge (an email queued in its process) ends its wait at once", async () => {
  const loop = startBatchSender({ db: t, transport: transport(), pacer: noPacing, pollMs: 100, idlePollMs: 60_000 });
  try {
    // Each empty poll is a step of its own (a new lastProgressAt): the wait after the 7th is 100 ms × 2^6 = 6.4 s.
    const seen = new Set<number>([loop.health().lastProgressAt]);
    await waitFor("seven empty polls", () => seen.add(loop.health().lastProgressAt).size > 7, { timeoutMs: 60_000, intervalMs: 2 });
    const bookings = await seed(3, "nudge");
    await queue(bookings);
    loop.nudge();
    // Well inside the 6.4 s the loop would otherwise have waited.
    await waitFor("the nudged loop sent them", async () => (await rowsOf("EMAIL_SENT", bookings)).length === 6, { timeoutMs: 3_000 });
  } finally {
    await loop.stop();
  }
});
