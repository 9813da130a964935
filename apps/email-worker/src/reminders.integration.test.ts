import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { and, eq, sql } from "drizzle-orm";
import { booking, callOffer, emailBatch, log, pendingEmail } from "@callastar/db";
import { ValidationError } from "@callastar/errors";
import { jobIds } from "@callastar/queues";
import { Producer } from "@callastar/producer";
import { startResendStandin, type ResendStandin } from "@callastar/standins";
import {
  createTestDatabase,
  obliteratePrefix,
  seedBooking,
  testEnv,
  uniquePrefix,
  waitFor,
  waitForDrained,
  type TestDatabase,
} from "@callastar/testing";
import type { WorkerApp } from "@callastar/runtime";
import { startEmailWorker } from "./app";
import { emailWorkerTestEnv } from "./test-env";

const LEAD_MS = 15 * 60_000;
let t: TestDatabase;
let resend: ResendStandin;
let prefix: string;
let app: WorkerApp;
let producer: Producer;
let redis: Redis;

beforeAll(async () => {
  t = await createTestDatabase();
  resend = await startResendStandin({ rateLimitPerSecond: 0 });
});
afterAll(async () => {
  await resend.close();
  await t.drop();
});
beforeEach(async () => {
  prefix = uniquePrefix("email");
  resend.reset();
  app = await startEmailWorker(
    emailWorkerTestEnv({ DATABASE_URL: t.url, REDIS_URL: testEnv.redisUrl, QUEUE_PREFIX: prefix, RESEND_BASE_URL: resend.url }),
    { exit: () => undefined },
  );
  redis = new Redis(testEnv.redisUrl, { maxRetriesPerRequest: 1 });
  producer = new Producer({ connection: redis, prefix });
});
afterEach(async () => {
  await producer.close();
  await app.shutdown("test over");
  redis.disconnect();
  await obliteratePrefix(prefix);
});

const dueIn = (ms: number) => new Date(Date.now() + LEAD_MS + ms);
// Reminders go out in batches keyed by the batch: an email is told by the booking link it carries.
const deliveriesFor = (bookingId: string) => resend.deliveries.filter((d) => d.html?.includes(`/bookings/${bookingId}`));
const rows = (type: "EMAIL_SENT" | "EMAIL_ERROR" | "CRON_RUN" | "NOTIFICATION_SENT", bookingId?: string) =>
  t.db
    .select()
    .from(log)
    .where(bookingId ? and(eq(log.type, type), sql`${log.context}->>'bookingId' = ${bookingId}`) : eq(log.type, type));
const reminderSent = async (bookingId: string) =>
  (await t.db.select({ r: booking.reminderSent }).from(booking).where(eq(booking.id, bookingId)))[0]?.r;

describe("booking reminders end to end", () => {
  it("sends the client's and the creator's reminder once, at the due time, when the main app schedules it", async () => {
    const b = await seedBooking(t, { callDateTime: dueIn(1_500) });
    const jobId = await producer.scheduleBookingReminder({ bookingId: b.bookingId, callDateTime: b.callDateTime });
    expect(jobId).toBe(jobIds.reminder(b.bookingId));
    // A second schedule (e.g. a retried web request) is a no-op.
    await producer.scheduleBookingReminder({ bookingId: b.bookingId, callDateTime: b.callDateTime });
    await waitFor("two reminder emails", () => deliveriesFor(b.bookingId).length === 2);
    // Not early: Resend received both at or after the due time (call − lead).
    const dueAt = b.callDateTime.getTime() - LEAD_MS;
    for (const d of deliveriesFor(b.bookingId)) expect(Date.parse(d.receivedAt)).toBeGreaterThanOrEqual(dueAt);
    await waitFor("both recorded", async () => (await rows("EMAIL_SENT", b.bookingId)).length === 2);
    expect(await reminderSent(b.bookingId)).toBe(true);

    const sent = deliveriesFor(b.bookingId);
    expect(sent.map((d) => d.to[0]!.split("-")[0]).sort()).toEqual(["fan", "star"]);
    expect(sent.every((d) => d.subject === "🕒 Reminder: Your call is starting soon!")).toBe(true);
    expect(sent.every((d) => d.html?.includes(`https://app.callastar.test/bookings/${b.bookingId}`))).toBe(true);
    expect(sent.some((d) => d.html?.includes("daily.co"))).toBe(false);
    const logs = await rows("EMAIL_SENT", b.bookingId);
    expect(logs.map((l) => l.context?.emailType).sort()).toEqual(["booking_reminder_client", "booking_reminder_creator"]);
    expect(logs.find((l) => l.context?.emailType === "booking_reminder_client")?.context).toMatchObject({
      bookingId: b.bookingId,
      userId: b.clientId,
      recipientEmail: expect.stringContaining("fan-"),
    });
  });

  it("the safety-net sweep finds a booking the main app never scheduled, and leaves a scheduled one alone", async () => {
    const missed = await seedBooking(t, { callDateTime: dueIn(1_000) });
    const scheduled = await seedBooking(t, { callDateTime: dueIn(1_200) });
    await producer.scheduleBookingReminder({ bookingId: scheduled.bookingId, callDateTime: scheduled.callDateTime });
    await producer.runCron("send-booking-reminders", "test");
    const [run] = await waitFor("CRON_RUN", async () => {
      const r = await rows("CRON_RUN");
      return r.length ? r : null;
    });
    expect(run!.context).toMatchObject({
      cronType: "send-booking-reminders",
      totalBookings: expect.any(Number),
      remindersEnqueued: expect.any(Number),
      alreadyScheduled: expect.any(Number),
      timeWindow: { minTime: expect.any(String), maxTime: expect.any(String) },
    });
    expect((run!.context as { alreadyScheduled: number }).alreadyScheduled).toBeGreaterThanOrEqual(1);
    await waitFor("both bookings reminded", () => deliveriesFor(missed.bookingId).length === 2 && deliveriesFor(scheduled.bookingId).length === 2);
    await waitForDrained(producer.queue("reminders"));
    await waitFor("no send in flight", () => resend.inFlight === 0);
    expect(deliveriesFor(scheduled.bookingId)).toHaveLength(2);
  });

  it("the sweep moves a reminder whose call was moved earlier without the producer being told, instead of leaving it scheduled too late", async () => {
    const b = await seedBooking(t, { callDateTime: dueIn(3_600_000) });
    await producer.scheduleBookingReminder({ bookingId: b.bookingId, callDateTime: b.callDateTime });
    // The call is moved to start one lead time from now; the delayed job still waits an hour.
    await t.db.update(callOffer).set({ dateTime: dueIn(500) }).where(eq(callOffer.id, b.callOfferId));
    const runJobId = await producer.runCron("send-booking-reminders", "test");
    await waitFor("two reminder emails", () => deliveriesFor(b.bookingId).length === 2);
    const run = await waitFor("the sweep's CRON_RUN row", async () => (await rows("CRON_RUN")).find((r) => r.context?.jobId === runJobId));
    expect(run.context).toMatchObject({ remindersMoved: 1, remindersEnqueued: 0 });
  });

  it("reschedule moves the reminder; cancel stops it", async () => {
    const moved = await seedBooking(t, { callDateTime: dueIn(800) });
    const cancelled = await seedBooking(t, { callDateTime: dueIn(800) });
    await producer.scheduleBookingReminder({ bookingId: moved.bookingId, callDateTime: moved.callDateTime });
    await producer.scheduleBookingReminder({ bookingId: cancelled.bookingId, callDateTime: cancelled.callDateTime });
    const later = new Date(Date.now() + 3 * 3600_000);
    // As the main app does: the booking changes in PostgreSQL (which reminders prepared ahead read),
    // then the producer is told.
    await t.db.update(callOffer).set({ dateTime: later }).where(eq(callOffer.id, moved.callOfferId));
    await t.db.update(booking).set({ status: "CANCELLED" }).where(eq(booking.id, cancelled.bookingId));
    await producer.rescheduleBookingReminder({ bookingId: moved.bookingId, callDateTime: later });
    expect(await producer.cancelBookingReminder({ bookingId: cancelled.bookingId })).toBe(true);
    // A witness due after the old time: once its reminders are sent, the old ones would have been too.
    const witness = await seedBooking(t, { callDateTime: dueIn(1_000) });
    await producer.scheduleBookingReminder({ bookingId: witness.bookingId, callDateTime: witness.callDateTime });
    await waitFor("the witness reminded", () => deliveriesFor(witness.bookingId).length === 2);
    const job = await producer.queue("reminders").getJob(jobIds.reminder(moved.bookingId));
    expect(await job!.getState()).toBe("delayed");
    expect(job!.timestamp + job!.delay).toBeGreaterThan(later.getTime() - LEAD_MS - 5_000);
    expect(await producer.queue("reminders").getJob(jobIds.reminder(cancelled.bookingId))).toBeUndefined();
    // Known point: the moved job (checked above) gone, nothing left to run or to batch, no send in flight.
    await job!.remove();
    await waitForDrained(producer.queue("reminders"));
    await waitForDrained(producer.queue("emails"));
    await waitFor("no email pending or batched", async () =>
      (await t.db.select().from(pendingEmail)).length === 0 && (await t.db.select().from(emailBatch)).length === 0,
    );
    await waitFor("no send in flight", () => resend.inFlight === 0);
    expect(deliveriesFor(witness.bookingId)).toHaveLength(2);
    expect(deliveriesFor(moved.bookingId)).toHaveLength(0);
    expect(deliveriesFor(cancelled.bookingId)).toHaveLength(0);
  });

  it("a booking cancelled after scheduling gets nothing, and says why in the log", async () => {
    const b = await seedBooking(t, { callDateTime: dueIn(600) });
    await producer.scheduleBookingReminder({ bookingId: b.bookingId, callDateTime: b.callDateTime });
    await t.db.update(booking).set({ status: "CANCELLED" }).where(eq(booking.id, b.bookingId));
    const [skip] = await waitFor("skip row", async () => {
      const r = await rows("NOTIFICATION_SENT", b.bookingId);
      return r.length ? r : null;
    });
    expect(skip!.context).toMatchObject({ skipped: true, reason: "not_confirmed", bookingStatus: "CANCELLED" });
    expect(skip!.id).toBe(`reminder-skip:${b.bookingId}:${b.callDateTime.toISOString()}`);
    expect(deliveriesFor(b.bookingId)).toHaveLength(0);
    expect(await reminderSent(b.bookingId)).toBe(false);
  });

  it("with Resend failing 30% of the time, every email is delivered exactly once and failures are audited", async () => {
    // The first request fails for sure (24 emails may go in one or two batch requests), then 30% of them.
    resend.setFaults({ failRate: 0.3, failNext: 1 });
    const bookings = await Promise.all(
      Array.from({ length: 12 }, (_, i) => seedBooking(t, { callDateTime: dueIn(200 + i * 10), label: `flaky${i}${Date.now()}` })),
    );
    for (const b of bookings) await producer.scheduleBookingReminder({ bookingId: b.bookingId, callDateTime: b.callDateTime });
    await waitFor(
      "24 deliveries",
      () => bookings.every((b) => deliveriesFor(b.bookingId).length === 2),
      { timeoutMs: 50_000 },
    );
    const ids = bookings.map((b) => b.bookingId);
    const mineOf = (r: Awaited<ReturnType<typeof rows>>) => r.filter((x) => ids.includes(String(x.context?.bookingId)));
    await waitFor("24 recorded", async () => mineOf(await rows("EMAIL_SENT")).length === 24);
    for (const b of bookings) expect(await reminderSent(b.bookingId)).toBe(true);
    // One delivery per recipient (every booking has its own client and creator).
    const emails = resend.deliveries.map((d) => String(d.to));
    expect(new Set(emails).size).toBe(emails.length);
    expect(mineOf(await rows("EMAIL_SENT"))).toHaveLength(24);
    // The audit logger commits error rows in groups: wait for the first.
    await waitFor("a failed attempt audited", async () => (await rows("EMAIL_ERROR")).length > 0);
  }, 70_000);

  it("refuses a malformed job on its first attempt, with a clear message and a Log row", async () => {
    const queue = new Queue("reminders", { connection: redis, prefix });
    const job = await queue.add("booking-reminder", { bookingId: 42 }, { attempts: 5 });
    await waitFor("failed", async () => (await job.isFailed()) || null);
    const failed = await queue.getJob(job.id!);
    expect(failed!.attemptsMade).toBe(1);
    expect(failed!.failedReason).toMatch(/bookingId/);
    const errors = await t.db.select().from(log).where(sql`${log.context}->>'jobId' = ${job.id!}`);
    expect(errors.some((e) => e.type === "EMAIL_ERROR" && /bookingId/.test(e.error ?? ""))).toBe(true);
    await queue.close();
  });
});

describe("ad-hoc emails from the main app", () => {
  it("renders, queues and sends any template once per idempotency key", async () => {
    const input = {
      template: "payment_received" as const,
      props: { recipientName: "Star", amount: 4250, currency: "EUR" },
      to: "star@example.com",
      userId: "creator1",
      bookingId: "booking1",
      idempotencyKey: "payment_received:pi_adhoc_1",
    };
    const first = await producer.enqueueEmail(input);
    const second = await producer.enqueueEmail(input);
    expect(second).toBe(first);
    await waitFor("delivery", () => resend.deliveries.length === 1);
    await waitForDrained(producer.queue("emails"));
    await waitFor("no send in flight", () => resend.inFlight === 0);
    expect(resend.deliveries).toHaveLength(1);
    expect(resend.deliveries[0]!.to).toEqual(["star@example.com"]);
  });

  it("a 429 from Resend holds its batch back for retry-after: the job spent no attempt, no row is written", async () => {
    resend.setFaults({ rateLimitNext: 1, retryAfterSeconds: 1 });
    const t0 = Date.now();
    const jobId = await producer.enqueueEmail({
      template: "payment_received",
      props: { recipientName: "Star", amount: 1000, currency: "EUR" },
      to: "limited@example.com",
      idempotencyKey: "payment_received:pi_limited",
    });
    await waitFor("delivery after the pause", () => resend.deliveries.some((d) => d.to[0] === "limited@example.com"));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    const job = await producer.queue("emails").getJob(jobId);
    await waitFor("completed", async () => (await job!.isCompleted()) || null);
    const done = await producer.queue("emails").getJob(jobId);
    expect(done!.attemptsMade).toBeLessThanOrEqual(1); // nothing failed: the job queued the email
    expect(done!.failedReason ?? "").toBe("");
    expect(resend.deliveries.filter((d) => d.to[0] === "limited@example.com")).toHaveLength(1);
    // A rate-limit wait is not an error: no EMAIL_ERROR row, from the handler or the runtime.
    await app.ctx.logger.flush(5_000);
    const errors = await t.db
      .select()
      .from(log)
      .where(and(eq(log.type, "EMAIL_ERROR"), sql`(${log.context}->>'jobId' = ${jobId} OR ${log.context}->>'recipientEmail' = 'limited@example.com')`));
    expect(errors).toEqual([]);
  });

  it("the producer refuses bad input naming the field, and enqueues nothing", async () => {
    await expect(
      producer.enqueueEmail({ template: "payment_received", props: { recipientName: "x", amount: 1.5, currency: "EUR" }, to: "nope" } as never),
    ).rejects.toThrow(/to/);
    await expect(producer.scheduleBookingReminder({ bookingId: "", callDateTime: "not a date" })).rejects.toThrow(
      /bookingId.*callDateTime|callDateTime.*bookingId/s,
    );
    expect(await producer.queue("emails").count()).toBe(0);
  });

  it("a job failing every attempt leaves one EMAIL_ERROR row per attempt, only the last one final (needs the runtime's isAudited check)", async () => {
    // The job renders and queues (sending is the batch sender's): PostgreSQL refuses to queue it, every attempt.
    await t.sql.unsafe(`
      CREATE FUNCTION refuse_pi_failing() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW."idempotencyKey" = 'payment_received:pi_failing' THEN RAISE EXCEPTION 'disk full (simulated)'; END IF; RETURN NEW; END $$;
      CREATE TRIGGER refuse_pi_failing BEFORE INSERT ON "PendingEmail" FOR EACH ROW EXECUTE FUNCTION refuse_pi_failing();`);
    const data = {
      template: "payment_received",
      props: { recipientName: "Star", amount: 1000, currency: "EUR" },
      to: "failing@example.com",
      bookingId: "bk_failing",
      idempotencyKey: "payment_received:pi_failing",
    };
    // The catalog's 8 attempts with a 5 s backoff, shortened: the row count is what is checked.
    const job = await producer.queue("emails").add("send-email", data, { attempts: 3, backoff: { type: "fixed", delay: 10 } });
    try {
      await waitFor("failed for good", async () => (await job.isFailed()) || null);
    } finally {
      await t.sql.unsafe(`DROP TRIGGER refuse_pi_failing ON "PendingEmail"; DROP FUNCTION refuse_pi_failing();`);
    }
    await app.ctx.logger.flush(5_000);
    // BullMQ's numeric job ids repeat across queues: match the job name too.
    const errors = await t.db
      .select()
      .from(log)
      .where(and(eq(log.type, "EMAIL_ERROR"), sql`${log.context}->>'jobId' = ${job.id!}`, sql`${log.context}->>'jobName' = 'send-email'`));
    const attempts = errors.map((e) => e.context as { attempt: number; attempts: number; final: boolean; bookingId: string });
    expect(attempts.sort((a, b) => a.attempt - b.attempt).map((c) => [c.attempt, c.attempts, c.final, c.bookingId])).toEqual([
      [1, 3, false, "bk_failing"],
      [2, 3, false, "bk_failing"],
      [3, 3, true, "bk_failing"],
    ]);
  });

  it("refuses an email without its idempotency key, naming the field: no default can drop a later one", async () => {
    const email = { template: "payment_received" as const, props: { recipientName: "Star", amount: 1000, currency: "EUR" }, to: "nokey@example.com" };
    const refused = await producer.enqueueEmail(email as never).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ValidationError);
    expect((refused as ValidationError).issues).toEqual([{ path: "idempotencyKey", message: expect.stringMatching(/required/) }]);
    expect(await producer.queue("emails").count()).toBe(0);
    // Two payments, same template and recipient, no booking: two keys, two emails.
    await producer.enqueueEmail({ ...email, idempotencyKey: "payment_received:pi_a" });
    await producer.enqueueEmail({ ...email, idempotencyKey: "payment_received:pi_b" });
    await waitFor("both delivered", () => resend.deliveries.filter((d) => d.to[0] === "nokey@example.com").length === 2);
  });
});
