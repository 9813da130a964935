// The reminder handler against the real database: it never sends (the batch sender does, see
// batch-sender.integration.test.ts); it queues both rendered emails and marks the booking, once.
import { and, eq, sql } from "drizzle-orm";
import { booking, emailDelivery, log, pendingEmail } from "@callastar/db";
import type { MailTransport } from "@callastar/emails";
import { useAuditDatabase } from "@callastar/audit-log/test-fixtures";
import { seedBooking } from "@callastar/testing";
import { createMailer } from "../mailer";
import { processBookingReminder } from "./booking-reminder";
import { noPacing } from "../send-pacer";

const LEAD_MS = 15 * 60_000;
const h = useAuditDatabase();
let sent: string[];

// Records what would be sent: the handler must send nothing itself.
const transport: MailTransport = {
  name: "recording",
  async send(_message, { idempotencyKey }) {
    sent.push(idempotencyKey);
    return { id: `msg-${idempotencyKey}` };
  },
};

beforeEach(() => {
  sent = [];
});

const run = (bookingId: string, attemptsMade = 0) =>
  processBookingReminder(
    { db: h.t, logger: h.logger, appUrl: "https://app.test", leadMs: LEAD_MS, mailer: createMailer({ db: h.t, transport, pacer: noPacing, from: "x@y.z" }) },
    { bookingId },
    { id: `reminder-${bookingId}`, name: "booking-reminder", attemptsMade, opts: { attempts: 6 }, moveToDelayed: async () => {} },
  );
const state = async (bookingId: string) => {
  await h.logger.flush(5_000);
  const [b] = await h.t.db.select({ reminderSent: booking.reminderSent }).from(booking).where(eq(booking.id, bookingId));
  const pending = await h.t.db.select().from(pendingEmail).where(eq(pendingEmail.bookingId, bookingId));
  const rows = await h.t.db.select().from(log).where(sql`${log.context}->>'bookingId' = ${bookingId}`);
  return {
    reminderSent: b!.reminderSent,
    pending: pending.map((p) => p.emailType).sort(),
    rows: rows.map((r) => r.type),
  };
};

it("queues both rendered emails for the batch sender and marks reminderSent in one statement; later runs queue nothing", async () => {
  const b = await seedBooking(h.t, { callDateTime: new Date(Date.now() + LEAD_MS) });
  // Racing runs (a retry, a sweep's job): one queues, the others find the booking reminded.
  const results = await Promise.all([run(b.bookingId), run(b.bookingId, 1), run(b.bookingId, 2)]);
  expect(results.filter((r) => r.status === "queued")).toEqual([{ status: "queued", emailsQueued: 2 }]);
  expect(await state(b.bookingId)).toEqual({ reminderSent: true, pending: ["booking_reminder_client", "booking_reminder_creator"], rows: [] });
  const [client] = await h.t.db.select().from(pendingEmail).where(eq(pendingEmail.idempotencyKey, `booking_reminder:${b.bookingId}:client`));
  const message = JSON.parse(client!.message) as { from: string; to: string; subject: string; html: string };
  expect(message).toMatchObject({ from: "x@y.z", to: expect.stringContaining("fan-"), subject: "🕒 Reminder: Your call is starting soon!" });
  expect(message.html).toContain(`https://app.test/bookings/${b.bookingId}`);
  expect(client!.callDateTime).toEqual(b.callDateTime);
  expect(sent).toEqual([]);
});

it("an email already delivered (an earlier attempt got it through) is not queued again", async () => {
  const b = await seedBooking(h.t, { callDateTime: new Date(Date.now() + LEAD_MS) });
  const key = `booking_reminder:${b.bookingId}:client`;
  await h.t.db.insert(emailDelivery).values({ idempotencyKey: key, emailType: "booking_reminder_client", bookingId: b.bookingId, recipientEmail: "fan@example.com", providerMessageId: "m1", loggedAt: new Date() });
  expect(await run(b.bookingId)).toEqual({ status: "queued", emailsQueued: 1 });
  expect(await state(b.bookingId)).toMatchObject({ reminderSent: true, pending: ["booking_reminder_creator"] });
});

it("a booking cancelled before the run queues nothing and keeps reminderSent false", async () => {
  const b = await seedBooking(h.t, { callDateTime: new Date(Date.now() + LEAD_MS), status: "CANCELLED" });
  expect(await run(b.bookingId)).toEqual({ status: "skipped", reason: "not_confirmed" });
  expect(await state(b.bookingId)).toMatchObject({ reminderSent: false, pending: [] });
});

describe("a reminder skipped for good is audited once", () => {
  const skipRows = (bookingId: string) =>
    h.t.db.select().from(log).where(and(eq(log.type, "NOTIFICATION_SENT"), sql`${log.context}->>'bookingId' = ${bookingId}`));

  it("a cancelled booking: retries and racing jobs write one row, id reminder-skip:<booking>:<call time>", async () => {
    const b = await seedBooking(h.t, { callDateTime: new Date(Date.now() + LEAD_MS), status: "CANCELLED" });
    expect(await run(b.bookingId)).toEqual({ status: "skipped", reason: "not_confirmed" });
    await Promise.all([run(b.bookingId, 1), run(b.bookingId, 1), run(b.bookingId, 2)]);
    const rows = await skipRows(b.bookingId);
    expect(rows.map((r) => r.id)).toEqual([`reminder-skip:${b.bookingId}:${b.callDateTime.toISOString()}`]);
    expect(rows[0]!.context).toMatchObject({ skipped: true, reason: "not_confirmed", bookingStatus: "CANCELLED", callDateTime: b.callDateTime.toISOString() });
  });

  it("a call that started: one row, whatever the number of runs", async () => {
    const b = await seedBooking(h.t, { callDateTime: new Date(Date.now() - 3_600_000) });
    for (let i = 0; i < 3; i++) expect(await run(b.bookingId, i)).toEqual({ status: "skipped", reason: "call_started" });
    expect((await skipRows(b.bookingId)).map((r) => r.id)).toEqual([`reminder-skip:${b.bookingId}:${b.callDateTime.toISOString()}`]);
  });

  it("an already reminded booking is no event: no row", async () => {
    const b = await seedBooking(h.t, { callDateTime: new Date(Date.now() + LEAD_MS), reminderSent: true });
    expect(await run(b.bookingId)).toEqual({ status: "skipped", reason: "already_sent" });
    expect(await skipRows(b.bookingId)).toEqual([]);
  });
});
