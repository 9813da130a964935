// One EMAIL_ERROR row per failed attempt of an ad-hoc email or a reminder, written by the handler
// with the job's context (jobId, jobName, attempt, attempts, final) and the booking, the error
// rethrown marked audited so the worker runtime writes none; a 429 is a wait, not an error.
import { and, eq, sql } from "drizzle-orm";
import { log, pendingEmail } from "@callastar/db";
import { PermanentError, RateLimitedError, isAudited } from "@callastar/errors";
import type { MailTransport } from "@callastar/emails";
import { useAuditDatabase } from "@callastar/audit-log/test-fixtures";
import { seedBooking } from "@callastar/testing";
import { createMailer } from "../mailer";
import { processBookingReminder } from "./booking-reminder";
import { processSendEmail } from "./send-email";
import { noPacing } from "../send-pacer";
import { auditEmailAttempt } from "../attempt-failure";

const LEAD_MS = 15 * 60_000;
const h = useAuditDatabase();
let failure: () => unknown;

// Fails every request (single or batch) with what `failure` makes.
const failing: MailTransport = {
  name: "failing",
  async send() {
    throw failure();
  },
  async sendBatch() {
    throw failure();
  },
};
const mailer = () => createMailer({ db: h.t, transport: failing, pacer: noPacing, from: "x@y.z" });


const errorRows = async (where: ReturnType<typeof sql>) => {
  await h.logger.flush(5_000);
  return h.t.db.select().from(log).where(and(eq(log.type, "EMAIL_ERROR"), where));
};

describe("ad-hoc email", () => {
  const data = (key: string) => ({
    template: "payment_received" as const,
    props: { recipientName: "Star", amount: 1000, currency: "EUR" },
    to: "star@example.com",
    idempotencyKey: key,
    bookingId: "bk1",
    userId: "u1",
  });
  const attempt = (key: string, attemptsMade: number) =>
    processSendEmail({ mailer: mailer(), logger: h.logger }, data(key), { id: `job-${key}`, name: "send-email", attemptsMade, opts: { attempts: 8 } }).catch(
      (e: unknown) => e,
    );
  const rowsOf = (key: string) => errorRows(sql`${log.context}->>'idempotencyKey' = ${key}`);

  // The job renders and queues; sending is the batch sender's (batch-sender.integration.test.ts).
  // PostgreSQL refusing to queue the email stands for any failure of that step.
  const refuseQueuing = (key: string) =>
    h.t.sql.unsafe(`
      CREATE OR REPLACE FUNCTION refuse_queuing() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW."idempotencyKey" = '${key}' THEN RAISE EXCEPTION 'disk full (simulated)'; END IF; RETURN NEW; END $$;
      DROP TRIGGER IF EXISTS refuse_queuing ON "PendingEmail";
      CREATE TRIGGER refuse_queuing BEFORE INSERT ON "PendingEmail" FOR EACH ROW EXECUTE FUNCTION refuse_queuing();`);
  afterEach(() => h.t.sql.unsafe(`DROP TRIGGER IF EXISTS refuse_queuing ON "PendingEmail"`));

  it("queued: the job's work is done, nothing sent and no row written", async () => {
    expect(await attempt("k-queued", 0)).toEqual({ status: "queued" });
    expect(await h.t.db.select().from(pendingEmail).where(eq(pendingEmail.idempotencyKey, "k-queued"))).toHaveLength(1);
    expect(await rowsOf("k-queued")).toEqual([]);
  });

  it("a failure to queue writes one row for the attempt, not final, and rethrows the error marked audited", async () => {
    await refuseQueuing("k-transient");
    const thrown = await attempt("k-transient", 0);
    expect(String(thrown)).toMatch(/disk full/);
    expect(isAudited(thrown)).toBe(true);
    const rows = await rowsOf("k-transient");
    expect(rows).toHaveLength(1);
    expect(rows[0]!.context).toMatchObject({ jobId: "job-k-transient", jobName: "send-email", attempt: 1, attempts: 8, final: false, bookingId: "bk1", userId: "u1", stage: "record" });
    expect(rows[0]!.context).not.toHaveProperty("willRetry");
  });

  it("the last attempt's row is final and carries the booking", async () => {
    await refuseQueuing("k-last");
    await attempt("k-last", 7);
    const rows = await rowsOf("k-last");
    expect(rows.map((r) => r.context)).toEqual([expect.objectContaining({ attempt: 8, attempts: 8, final: true, bookingId: "bk1", stage: "record" })]);
  });

  it("an email that cannot be rendered is final on its first attempt", async () => {
    const bad = { ...data("k-permanent"), props: { recipientName: "Star", amount: 1.5, currency: "EUR" } };
    const thrown = await processSendEmail({ mailer: mailer(), logger: h.logger }, bad, { id: "job-k-permanent", name: "send-email", attemptsMade: 0, opts: { attempts: 8 } }).catch(
      (e: unknown) => e,
    );
    expect(isAudited(thrown)).toBe(true);
    expect((await rowsOf("k-permanent")).map((r) => r.context)).toEqual([expect.objectContaining({ attempt: 1, final: true, stage: "render" })]);
  });

  it("sent alone (an attachment) and answered 429: no row, unmarked: the queue waits, no attempt is spent", async () => {
    failure = () => new RateLimitedError("Resend answered 429", 1_000);
    const d = { payload: { template: "payment_received" as const, props: data("k-429").props }, to: "star@example.com", idempotencyKey: "k-429", bookingId: "bk1" };
    const m = await mailer().message(d);
    const thrown = await mailer()
      .queueOrSend(d, { ...m, attachments: [{ filename: "receipt.txt", content: "aGk=" }] })
      .catch((e: unknown) => auditEmailAttempt(h.logger, { id: "job-k-429", name: "send-email", attemptsMade: 0, opts: { attempts: 8 } }, e, { bookingId: "bk1", userId: null, emailType: "payment_received" }));
    expect(thrown).toBeInstanceOf(RateLimitedError);
    expect(isAudited(thrown)).toBe(false);
    expect(await rowsOf("k-429")).toEqual([]);
  });

  it("sent alone and refused for good: one final row with the stage and the email", async () => {
    failure = () => new PermanentError("Resend answered 422 validation_error", { status: 422 });
    const d = { payload: { template: "payment_received" as const, props: data("k-alone").props }, to: "star@example.com", idempotencyKey: "k-alone", bookingId: "bk1" };
    const m = await mailer().message(d);
    const thrown = await mailer()
      .queueOrSend(d, { ...m, scheduledAt: "2030-01-01T09:00:00Z" })
      .catch((e: unknown) => auditEmailAttempt(h.logger, { id: "job-k-alone", name: "send-email", attemptsMade: 0, opts: { attempts: 8 } }, e, { bookingId: "bk1", userId: null, emailType: "payment_received" }));
    expect(isAudited(thrown)).toBe(true);
    expect((await rowsOf("k-alone")).map((r) => r.context)).toEqual([expect.objectContaining({ attempt: 1, final: true, stage: "send", idempotencyKey: "k-alone" })]);
  });
});

describe("reminder", () => {
  const attempt = (bookingId: string, attemptsMade: number) =>
    processBookingReminder(
      { db: h.t, logger: h.logger, appUrl: "https://app.test", leadMs: LEAD_MS, mailer: mailer() },
      { bookingId },
      { id: `reminder-${bookingId}`, name: "booking-reminder", attemptsMade, opts: { attempts: 6 }, moveToDelayed: async () => {} },
    ).catch((e: unknown) => e);
  const rowsOf = (bookingId: string) => errorRows(sql`${log.context}->>'bookingId' = ${bookingId}`);

  // Sending failures are the batch sender's (batch-sender.integration.test.ts); the handler's own
  // failures (here: a template that cannot render) keep one row per attempt, with the booking.
  it("a failing attempt writes one row with the booking, the email and the stage", async () => {
    const b = await seedBooking(h.t, { callDateTime: new Date(Date.now() + LEAD_MS), clientTimezone: "Not/A_Zone" });
    expect(isAudited(await attempt(b.bookingId, 0))).toBe(true);
    // A time zone that cannot be rendered is a permanent error: this first attempt is the last.
    expect((await rowsOf(b.bookingId)).map((r) => r.context)).toEqual([
      expect.objectContaining({
        jobId: `reminder-${b.bookingId}`,
        jobName: "booking-reminder",
        bookingId: b.bookingId,
        attempt: 1,
        final: true,
        stage: "render",
        idempotencyKey: `booking_reminder:${b.bookingId}:client`,
      }),
    ]);
    expect(await h.t.db.select().from(pendingEmail).where(eq(pendingEmail.bookingId, b.bookingId))).toEqual([]);
  });
});
