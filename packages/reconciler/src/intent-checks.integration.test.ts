// The books see what was never sent: recorded intents (a booking marked reminded, a queued email,
// a batch, an outbox row) without their effect past a bound, an email whose outcome is unknown.
import { eq, inArray } from "drizzle-orm";
import { booking, createId, emailBatch, emailDelivery, jobOutbox, log, pendingEmail } from "@callastar/db";
import { createTestDatabase, seedBooking, type SeededBooking, type TestDatabase } from "@callastar/testing";
import { INTENT_CHECKS } from "./report";
import { verifyAudit } from "./verify-audit";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.drop());

const LEAD = 15 * 60_000;
// Tests in the past work in their own hour of a fixed day, so they never see each other's rows.
const hour = (h: number) => ({ since: new Date(Date.UTC(2026, 2, 1, h)), until: new Date(Date.UTC(2026, 2, 1, h + 1)) });
const at = (h: number, minute: number) => new Date(Date.UTC(2026, 2, 1, h, minute));
const unfulfilled = (r: Awaited<ReturnType<typeof verifyAudit>>) => r.unfulfilled.map((u) => [u.check, u.entityId]);

/** A booking whose reminder was due at `dueAt` and is marked sent. */
const reminded = (dueAt: Date, label: string) => seedBooking(t, { callDateTime: new Date(dueAt.getTime() + LEAD), reminderSent: true, label: `${label}${createId()}` });
const delivered = (b: SeededBooking, role: "client" | "creator", createdAt: Date) =>
  t.db.insert(emailDelivery).values({
    idempotencyKey: `booking_reminder:${b.bookingId}:${role}`,
    emailType: `booking_reminder_${role}`,
    bookingId: b.bookingId,
    recipientEmail: `${role}@example.com`,
    providerMessageId: createId(),
    createdAt,
  });
const queued = (key: string, createdAt: Date, extra: Partial<typeof pendingEmail.$inferInsert> = {}) =>
  t.db.insert(pendingEmail).values({ idempotencyKey: key, priority: 1, emailType: "payment_received", recipientEmail: "x@example.com", message: "{}", auditContext: {}, createdAt, ...extra });
const row = (id: string, type: "EMAIL_ERROR" | "NOTIFICATION_SENT", createdAt: Date) =>
  t.db.insert(log).values({ id, type, status: type === "EMAIL_ERROR" ? "ERROR" : "SUCCESS", message: id, context: {}, createdAt });

describe("intents without their effect", () => {
  it("a booking marked reminded whose emails were never delivered is reported; delivered, refused, skipped or still queued ones are not", async () => {
    const h = 1;
    const due = at(h, 10);
    const both = await reminded(due, "both");
    await delivered(both, "client", due);
    await delivered(both, "creator", due);
    const never = await reminded(due, "never");
    const refused = await reminded(due, "refused");
    await delivered(refused, "client", due);
    await row(`email-failed:booking_reminder:${refused.bookingId}:creator`, "EMAIL_ERROR", due);
    const skipped = await reminded(due, "skipped");
    await row(`reminder-skip:${skipped.bookingId}:${skipped.callDateTime.toISOString()}`, "NOTIFICATION_SENT", due);
    const onItsWay = await reminded(due, "queued");
    await delivered(onItsWay, "client", due);
    await queued(`booking_reminder:${onItsWay.bookingId}:creator`, new Date(), { bookingId: onItsWay.bookingId, emailType: "booking_reminder_creator", priority: 0 });
    const half = await reminded(due, "half");
    await delivered(half, "client", due);
    // Not marked reminded: the sweep's business, not a broken promise.
    await seedBooking(t, { callDateTime: new Date(due.getTime() + LEAD) });

    const report = await verifyAudit(t.db, hour(h));
    expect(report.checked["reminder-emails"]).toBe(6);
    expect(report.unfulfilled.filter((u) => u.check === "reminder-emails")).toEqual([
      { check: "reminder-emails", entityId: half.bookingId, detail: "marked reminded, no reminder delivered to the creator", since: due.toISOString() },
      { check: "reminder-emails", entityId: never.bookingId, detail: "marked reminded, no reminder delivered to the client and creator", since: due.toISOString() },
    ].sort((a, b) => a.entityId.localeCompare(b.entityId)));
    // Within the grace after its due time, a reminder is not late yet.
    expect(unfulfilled(await verifyAudit(t.db, { since: hour(h).since, until: new Date(due.getTime() + 60_000), bounds: { reminderGraceMinutes: 5 } }))).toEqual([]);
  });

  it("emails, batches and outbox rows older than their bounds are reported, younger ones not; an unknown email always", async () => {
    const h = 3;
    const old = at(h, 5);
    const young = at(h, 55);
    // An ad-hoc email and a reminder past the bound, both reported.
    await queued(`old-${createId()}`, old);
    await queued(`old-reminder-${createId()}`, old, { priority: 0, emailType: "booking_reminder_client" });
    await queued(`young-${createId()}`, young);
    const stuck = `email-batch:${createId()}`;
    await t.db.insert(emailBatch).values({ id: stuck, createdAt: old, attemptedAt: old, attempts: 4 });
    await queued(`in-stuck-${createId()}`, old, { batchId: stuck, position: 1 });
    const unknown = `email-batch:${createId()}`;
    await t.db.insert(emailBatch).values({ id: unknown, createdAt: young, attemptedAt: young, unknownAt: young, unknownReason: "409 invalid_idempotent_request" });
    const perhaps = `perhaps-${createId()}`;
    await queued(perhaps, young, { batchId: unknown, position: 1 });
    const [waiting] = await t.db.insert(jobOutbox).values({ kind: "enqueueEmail", input: {}, jobId: "email-x", idempotencyKey: "k", createdAt: old, relayedAt: old }).returning();
    await t.db.insert(jobOutbox).values({ kind: "enqueueRoomDeletion", input: {}, jobId: "room-x", createdAt: old, relayedAt: old, completedAt: old, outcome: "relayed" });
    await t.db.insert(jobOutbox).values({ kind: "enqueueRoomDeletion", input: {}, jobId: "room-y", createdAt: young });

    const report = await verifyAudit(t.db, hour(h));
    const found = unfulfilled(report);
    const pending = report.unfulfilled.filter((u) => u.check === "pending-emails").sort((a, b) => a.detail.localeCompare(b.detail));
    expect(pending.map((u) => [u.entityId.replace(/-[^-]+$/, ""), u.detail])).toEqual([
      ["old", "queued (ad-hoc payment_received), not yet in a batch"],
      ["old-reminder", "queued (reminder booking_reminder_client), not yet in a batch"],
    ]);
    expect(found.filter(([c]) => c === "email-batches")).toEqual([["email-batches", stuck]]);
    expect(found.filter(([c]) => c === "unknown-emails")).toEqual([["unknown-emails", perhaps]]);
    expect(found.filter(([c]) => c === "outbox-waiting")).toEqual([["outbox-waiting", waiting!.id]]);
    expect(report.unfulfilled.find((u) => u.check === "email-batches")!.detail).toBe(`sent 4 failed time(s) since ${old.toISOString()}, no answer recorded`);
    expect(report.checked).toMatchObject({ "pending-emails": 5, "email-batches": 2, "unknown-emails": 2, "outbox-waiting": 3 });
    // The bounds are settings: with a longer one, nothing here is late but the unknown email.
    const lenient = await verifyAudit(t.db, { ...hour(h), bounds: { pendingMaxMinutes: 120, outboxMaxMinutes: 120 } });
    expect(unfulfilled(lenient)).toEqual([["unknown-emails", perhaps]]);
  });

  it("--repair re-drives what it safely can: a reminder whose call is ahead is queued again, a batch never sent and held by no one goes back to the pending set; nothing that may have been delivered is touched", async () => {
    const now = Date.now();
    const window = { since: new Date(now - 3600_000), until: new Date(now) };
    const ahead = await reminded(new Date(now - 10 * 60_000), "ahead"); // call in 5 minutes
    await delivered(ahead, "client", new Date(now - 10 * 60_000));
    const started = await reminded(new Date(now - 30 * 60_000), "started"); // call 15 minutes ago
    const idle = `email-batch:${createId()}`;
    await t.db.insert(emailBatch).values({ id: idle, createdAt: new Date(now - 40 * 60_000) });
    const back = `back-${createId()}`;
    await queued(back, new Date(now - 40 * 60_000), { batchId: idle, position: 1 });
    const sent = `email-batch:${createId()}`;
    await t.db.insert(emailBatch).values({ id: sent, createdAt: new Date(now - 40 * 60_000), attemptedAt: new Date(now - 40 * 60_000), attempts: 2 });
    const held = `email-batch:${createId()}`;
    await t.db.insert(emailBatch).values({ id: held, createdAt: new Date(now - 40 * 60_000), leaseOwner: "a-live-copy", leaseExpiresAt: new Date(now + 60_000) });

    const report = await verifyAudit(t.db, { ...window, repair: true, bounds: { reminderGraceMinutes: 5 } });
    expect(report.redrives.map((u) => [u.check, u.entityId]).sort()).toEqual([["email-batches", idle], ["reminder-emails", ahead.bookingId]].sort());
    expect(report.redriven).toBe(2);
    expect(unfulfilled(report).sort()).toEqual(
      [["reminder-emails", started.bookingId], ["email-batches", sent], ["email-batches", held]].sort(),
    );
    // Marked unsent: the sweep queues its missing (creator's) email; the delivered one is not sent again by design of the reminder job.
    const [b] = await t.db.select({ sent: booking.reminderSent }).from(booking).where(eq(booking.id, ahead.bookingId));
    expect(b!.sent).toBe(false);
    const [member] = await t.db.select().from(pendingEmail).where(eq(pendingEmail.idempotencyKey, back));
    expect(member).toMatchObject({ batchId: null, position: null });
    expect((await t.db.select().from(emailBatch).where(inArray(emailBatch.id, [idle, sent, held]))).map((r) => r.id).sort()).toEqual([held, sent].sort());
    expect(report.checked).toEqual(expect.objectContaining(Object.fromEntries(INTENT_CHECKS.map((c) => [c, expect.any(Number)]))));
  });
});
