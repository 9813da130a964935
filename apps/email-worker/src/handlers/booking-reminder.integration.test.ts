// The reminder handler against the real database with a recording transport: both emails, their
// audit rows and `reminderSent` commit together; a partial failure leaves no accepted email unaudited.
import { and, eq, sql } from "drizzle-orm";
import { booking, emailDelivery, log } from "@callastar/db";
import { PermanentError } from "@callastar/errors";
import type { MailTransport } from "@callastar/emails";
import { createAuditLogger, type AuditLogger } from "@callastar/logger";
import { createTestDatabase, seedBooking, type TestDatabase } from "@callastar/testing";
import { createMailer } from "../mailer";
import { processBookingReminder } from "./booking-reminder";

const LEAD_MS = 15 * 60_000;
let t: TestDatabase;
let logger: AuditLogger;
let sent: string[];
let refuse: (to: string) => boolean;
let batches: string[];

const transport: MailTransport = {
  name: "recording",
  async send(message, { idempotencyKey }) {
    const to = String(message.to);
    if (refuse(to)) throw new PermanentError(`mailbox ${to} does not exist`, { status: 422, code: "validation_error" });
    sent.push(idempotencyKey);
    return { id: `msg-${idempotencyKey}` };
  },
};

beforeAll(async () => {
  t = await createTestDatabase();
  logger = createAuditLogger({ db: t });
});
afterAll(async () => {
  await logger.close();
  await t.drop();
});
beforeEach(() => {
  sent = [];
  batches = [];
  refuse = () => false;
});

// Like Resend's batch endpoint in strict mode: one refused address refuses the whole request.
const batching: MailTransport = {
  name: "batching",
  send: transport.send.bind(transport),
  async sendBatch(messages, { idempotencyKey }) {
    const bad = messages.findIndex((m) => refuse(String(m.to)));
    if (bad >= 0) throw new PermanentError(`emails[${bad}]: mailbox does not exist`, { status: 422, code: "validation_error" });
    batches.push(idempotencyKey);
    return { ids: messages.map((_m, i) => `msg-${idempotencyKey}-${i}`) };
  },
};

const run = (bookingId: string, attemptsMade = 0, via: MailTransport = transport) =>
  processBookingReminder(
    { db: t, logger, appUrl: "https://app.test", leadMs: LEAD_MS, mailer: createMailer({ db: t, transport: via, limiter: { acquire: async () => {} }, from: "x@y.z" }) },
    { bookingId },
    { id: `reminder-${bookingId}`, name: "booking-reminder", attemptsMade, opts: { attempts: 6 }, moveToDelayed: async () => {} },
  );
const state = async (bookingId: string) => {
  await logger.flush(5_000);
  const [b] = await t.db.select({ reminderSent: booking.reminderSent }).from(booking).where(eq(booking.id, bookingId));
  const deliveries = await t.db.select().from(emailDelivery).where(eq(emailDelivery.bookingId, bookingId));
  const rows = await t.db.select().from(log).where(sql`${log.context}->>'bookingId' = ${bookingId}`);
  return {
    reminderSent: b!.reminderSent,
    deliveries: deliveries.map((d) => d.emailType).sort(),
    sentRows: rows.filter((r) => r.type === "EMAIL_SENT").map((r) => (r.context as { emailType: string }).emailType).sort(),
    errorRows: rows.filter((r) => r.type === "EMAIL_ERROR").map((r) => (r.context as { emailType: string; stage: string }).stage),
  };
};

it("sends both emails, then records them, their audit rows and reminderSent together", async () => {
  const b = await seedBooking(t, { callDateTime: new Date(Date.now() + LEAD_MS) });
  expect(await run(b.bookingId)).toEqual({ status: "sent", emailsSent: 2 });
  expect(await state(b.bookingId)).toEqual({
    reminderSent: true,
    deliveries: ["booking_reminder_client", "booking_reminder_creator"],
    sentRows: ["booking_reminder_client", "booking_reminder_creator"],
    errorRows: [],
  });
  expect(await run(b.bookingId)).toEqual({ status: "skipped", reason: "already_sent" });
  expect(sent).toHaveLength(2);
});

it("the creator's email failing for good still records and audits the client's, which a retry then skips", async () => {
  const b = await seedBooking(t, { callDateTime: new Date(Date.now() + LEAD_MS) });
  refuse = (to) => to.startsWith("star-");
  await expect(run(b.bookingId)).rejects.toThrow(PermanentError);
  expect(await state(b.bookingId)).toEqual({
    reminderSent: false,
    deliveries: ["booking_reminder_client"],
    sentRows: ["booking_reminder_client"],
    errorRows: ["send"],
  });

  refuse = () => false; // an operator fixed the address and retried the job from Bull Board
  expect(await run(b.bookingId, 1)).toEqual({ status: "sent", emailsSent: 1 });
  expect(sent.filter((k) => k.endsWith(":client"))).toHaveLength(1);
  expect(await state(b.bookingId)).toMatchObject({
    reminderSent: true,
    deliveries: ["booking_reminder_client", "booking_reminder_creator"],
    sentRows: ["booking_reminder_client", "booking_reminder_creator"],
  });
});

it("both emails recorded but the mark lost (an older worker died there): the retry only marks", async () => {
  const b = await seedBooking(t, { callDateTime: new Date(Date.now() + LEAD_MS) });
  await run(b.bookingId);
  await t.db.update(booking).set({ reminderSent: false }).where(and(eq(booking.id, b.bookingId)));
  sent = [];
  expect(await run(b.bookingId, 1)).toEqual({ status: "sent", emailsSent: 0 });
  expect(sent).toEqual([]);
  expect(await state(b.bookingId)).toMatchObject({ reminderSent: true, sentRows: ["booking_reminder_client", "booking_reminder_creator"] });
});

describe("with a transport that batches", () => {
  it("sends both emails in one request keyed by the booking, and records both", async () => {
    const b = await seedBooking(t, { callDateTime: new Date(Date.now() + LEAD_MS) });
    expect(await run(b.bookingId, 0, batching)).toEqual({ status: "sent", emailsSent: 2 });
    expect(batches).toEqual([`booking_reminder:${b.bookingId}`]);
    expect(sent).toEqual([]);
    expect(await state(b.bookingId)).toEqual({
      reminderSent: true,
      deliveries: ["booking_reminder_client", "booking_reminder_creator"],
      sentRows: ["booking_reminder_client", "booking_reminder_creator"],
      errorRows: [],
    });
  });

  it("a batch refused for the creator's address falls back to one send each: the client's goes out", async () => {
    const b = await seedBooking(t, { callDateTime: new Date(Date.now() + LEAD_MS) });
    refuse = (to) => to.startsWith("star-");
    await expect(run(b.bookingId, 0, batching)).rejects.toThrow(/does not exist/);
    expect(sent).toEqual([`booking_reminder:${b.bookingId}:client`]);
    expect(await state(b.bookingId)).toEqual({
      reminderSent: false,
      deliveries: ["booking_reminder_client"],
      sentRows: ["booking_reminder_client"],
      errorRows: ["send"],
    });
  });
});

describe("a reminder skipped for good is audited once", () => {
  const skipRows = (bookingId: string) =>
    t.db.select().from(log).where(and(eq(log.type, "NOTIFICATION_SENT"), sql`${log.context}->>'bookingId' = ${bookingId}`));

  it("a cancelled booking: retries and racing jobs write one row, id reminder-skip:<booking>:<call time>", async () => {
    const b = await seedBooking(t, { callDateTime: new Date(Date.now() + LEAD_MS), status: "CANCELLED" });
    expect(await run(b.bookingId)).toEqual({ status: "skipped", reason: "not_confirmed" });
    await Promise.all([run(b.bookingId, 1), run(b.bookingId, 1), run(b.bookingId, 2)]);
    const rows = await skipRows(b.bookingId);
    expect(rows.map((r) => r.id)).toEqual([`reminder-skip:${b.bookingId}:${b.callDateTime.toISOString()}`]);
    expect(rows[0]!.context).toMatchObject({ skipped: true, reason: "not_confirmed", bookingStatus: "CANCELLED", callDateTime: b.callDateTime.toISOString() });
  });

  it("a call that started: one row, whatever the number of runs", async () => {
    const b = await seedBooking(t, { callDateTime: new Date(Date.now() - 3_600_000) });
    for (let i = 0; i < 3; i++) expect(await run(b.bookingId, i)).toEqual({ status: "skipped", reason: "call_started" });
    expect((await skipRows(b.bookingId)).map((r) => r.id)).toEqual([`reminder-skip:${b.bookingId}:${b.callDateTime.toISOString()}`]);
  });

  it("an already reminded booking is no event: no row", async () => {
    const b = await seedBooking(t, { callDateTime: new Date(Date.now() + LEAD_MS), reminderSent: true });
    expect(await run(b.bookingId)).toEqual({ status: "skipped", reason: "already_sent" });
    expect(await skipRows(b.bookingId)).toEqual([]);
  });
});
