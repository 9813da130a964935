// One EMAIL_ERROR row per failed attempt of an ad-hoc email or a reminder, written by the handler
// with the job's context (jobId, jobName, attempt, attempts, final) and the booking, the error
// rethrown marked audited so the worker runtime writes none; a 429 is a wait, not an error.
import { and, eq, sql } from "drizzle-orm";
import { log, pendingEmail } from "@callastar/db";
import { PermanentError, RateLimitedError, TransientError, isAudited } from "@callastar/errors";
import type { MailTransport } from "@callastar/emails";
import { useAuditDatabase } from "@callastar/audit-log/test-fixtures";
import { seedBooking } from "@callastar/testing";
import { createMailer } from "../mailer";
import { processBookingReminder } from "./booking-reminder";
import { processSendEmail } from "./send-email";
import { noPacing } from "../send-pacer";

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

  it("a transient failure writes one row for the attempt, not final, and rethrows the error marked audited", async () => {
    failure = () => new TransientError("Resend answered 500", { status: 500 });
    const thrown = await attempt("k-transient", 0);
    expect(thrown).toBeInstanceOf(TransientError);
    expect(isAudited(thrown)).toBe(true);
    const rows = await rowsOf("k-transient");
    expect(rows).toHaveLength(1);
    expect(rows[0]!.context).toMatchObject({ jobId: "job-k-transient", jobName: "send-email", attempt: 1, attempts: 8, final: false, bookingId: "bk1", userId: "u1", stage: "send" });
    expect(rows[0]!.context).not.toHaveProperty("willRetry");
  });

  it("the last attempt's row is final and carries the booking", async () => {
    failure = () => new TransientError("Resend answered 500", { status: 500 });
    await attempt("k-last", 7);
    const rows = await rowsOf("k-last");
    expect(rows.map((r) => r.context)).toEqual([expect.objectContaining({ attempt: 8, attempts: 8, final: true, bookingId: "bk1" })]);
  });

  it("a permanent refusal is final on its first attempt", async () => {
    failure = () => new PermanentError("Resend answered 422 validation_error", { status: 422 });
    expect(isAudited(await attempt("k-permanent", 0))).toBe(true);
    expect((await rowsOf("k-permanent")).map((r) => r.context)).toEqual([expect.objectContaining({ attempt: 1, final: true })]);
  });

  it("a 429 writes no row and stays unmarked: the queue waits, no attempt is spent", async () => {
    failure = () => new RateLimitedError("Resend answered 429", 1_000);
    const thrown = await attempt("k-429", 0);
    expect(thrown).toBeInstanceOf(RateLimitedError);
    expect(isAudited(thrown)).toBe(false);
    expect(await rowsOf("k-429")).toEqual([]);
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
