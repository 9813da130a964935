// The lane rules of the batch sender (docs/email.md, "Lanes"), on the real PostgreSQL and Redis
// against the Resend stand-in's sliding 2 requests/s window: reminders falling due while thousands
// of ad-hoc emails drain leave in the next requests (ad-hoc emails filling only the room they
// leave), and an ad-hoc email under continuous reminder traffic still leaves once it waited too long.
import { Redis } from "ioredis";
import { createResendTransport, type MailMessage } from "@callastar/emails";
import { startResendStandin, type ResendDelivery, type ResendStandin } from "@callastar/standins";
import { createTestDatabase, obliteratePrefix, seedBooking, testEnv, uniquePrefix, waitFor, type SeededBooking, type TestDatabase } from "@callastar/testing";
import { startBatchSender, type BatchSender, type BatchSenderOptions } from "./batch-sender";
import { batchesDrained } from "./batch-test-kit";
import { queueAdhocEmail, queueReminderEmails, type QueuedEmail } from "./pending-emails";
import { createSendPacer } from "./send-pacer";

const LEAD_MS = 15 * 60_000;
let t: TestDatabase;
let resend: ResendStandin;
let redis: Redis;
let prefix: string;
const loops: BatchSender[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  redis = new Redis(testEnv.redisUrl, { maxRetriesPerRequest: null });
});
afterAll(async () => {
  redis.disconnect();
  await t.drop();
});
beforeEach(async () => {
  resend = await startResendStandin({ rateLimitPerSecond: 2 });
  prefix = uniquePrefix("lanes");
});
afterEach(async () => {
  await Promise.all(loops.splice(0).map((l) => l.stop()));
  // A failed test leaves its emails: the next one starts from an empty queue.
  await t.sql`DELETE FROM "PendingEmail"`;
  await t.sql`DELETE FROM "EmailBatch"`;
  await resend.close();
  await obliteratePrefix(prefix);
});

const message = (to: string, subject: string): MailMessage => ({ from: "Call a Star <noreply@callastar.test>", to, subject, html: `<p>${subject}</p>`, text: subject });

/** `n` ad-hoc emails queued as a `send-email` job queues them (rendering aside: the lanes only see rows). */
async function queueAdhoc(n: number, label: string): Promise<string[]> {
  const recipients = Array.from({ length: n }, (_, i) => `${label}-${i}@adhoc.test`);
  for (let i = 0; i < n; i += 200) {
    await Promise.all(
      recipients.slice(i, i + 200).map((to) =>
        queueAdhocEmail(t.sql, {
          subject: { idempotencyKey: `notice:${to}`, emailType: "payment_received", to, bookingId: null, userId: null, context: {} },
          message: message(to, "A notice"),
        }),
      ),
    );
  }
  return recipients;
}

/** Bookings whose call starts `dueInMs` after one lead time from now, their two reminders queued as the reminder job queues them. */
async function queueReminders(n: number, dueInMs: number, label: string): Promise<{ bookings: SeededBooking[]; recipients: Set<string> }> {
  const callDateTime = new Date(Date.now() + LEAD_MS + dueInMs);
  const bookings = await Promise.all(Array.from({ length: n }, (_, i) => seedBooking(t, { callDateTime, label: `${label}${i}x${Date.now()}` })));
  const recipients = new Set<string>();
  for (const b of bookings) {
    const emails: QueuedEmail[] = (["client", "creator"] as const).map((role) => {
      const to = `${role}-${b.bookingId}@reminder.test`;
      recipients.add(to);
      const key = `booking_reminder:${b.bookingId}:${role}`;
      return { subject: { idempotencyKey: key, emailType: `booking_reminder_${role}`, to, bookingId: b.bookingId, userId: null, context: {} }, message: message(to, "Your call") };
    });
    expect(await queueReminderEmails(t.sql, b.bookingId, b.callDateTime, emails)).toBe(true);
  }
  return { bookings, recipients };
}

/** Two sender loops, as one worker copy runs them, on one Redis-wide pacer. */
function startLoops(options: Partial<BatchSenderOptions> = {}): void {
  const pacer = createSendPacer(redis, { key: `${prefix}:pace`, limit: 2, marginMs: 50 });
  const transport = createResendTransport({ apiKey: resend.apiKey, baseUrl: resend.url, timeoutMs: 5_000 });
  for (let i = 0; i < 2; i++) loops.push(startBatchSender({ db: t, transport, pacer, pollMs: 50, reminderLeadMs: LEAD_MS, ...options }));
}

/** The stand-in's requests in arrival order, each with its emails. */
function requests(): Array<{ key: string; at: number; to: string[] }> {
  const byKey = new Map<string, { key: string; at: number; to: string[] }>();
  for (const d of resend.deliveries as ResendDelivery[]) {
    const r = byKey.get(d.idempotencyKey!) ?? { key: d.idempotencyKey!, at: Date.parse(d.receivedAt), to: [] };
    r.to.push(String(d.to));
    byKey.set(r.key, r);
  }
  return [...byKey.values()].sort((a, b) => a.at - b.at);
}

it("reminders falling due while 4,000 ad-hoc emails drain leave in the next requests; ad-hoc emails fill only the room they leave", async () => {
  const adhoc = await queueAdhoc(4_000, "drain");
  startLoops();
  await waitFor("ad-hoc emails draining", () => resend.requests >= 4, { timeoutMs: 30_000 });
  // 150 reminders falling due 8 s from now: one full request and one with room for 50 more.
  const { bookings, recipients } = await queueReminders(75, 8_000, "due");
  const dueAt = bookings[0]!.callDateTime.getTime() - LEAD_MS;
  await waitFor("every reminder delivered", () => resend.deliveries.filter((d) => recipients.has(String(d.to))).length === 150, { timeoutMs: 60_000 });

  const all = requests();
  const withReminders = all.filter((r) => r.to.some((to) => recipients.has(to)));
  // Never early, in the fewest requests: 100 reminders, then 50 with 50 ad-hoc emails in the same request.
  expect(withReminders.every((r) => r.at >= dueAt)).toBe(true);
  // (Both leave at the due time: which arrives first is the network's choice.)
  expect(withReminders.map((r) => r.to.filter((to) => recipients.has(to)).length).sort((a, b) => a - b)).toEqual([50, 100]);
  expect(withReminders.map((r) => r.to.length)).toEqual([100, 100]);
  // The next requests after the due time: ad-hoc batches stood by from 1.5 s before it, so none
  // reached Resend between the due time and the last reminder request.
  const last = withReminders.at(-1)!.at;
  expect(all.filter((r) => r.at >= dueAt && r.at <= last && !r.to.some((to) => recipients.has(to)))).toEqual([]);
  expect(resend.rateLimited).toBe(0);
  // Ad-hoc emails drained before and after, each once.
  await waitFor("drained", () => batchesDrained(t), { timeoutMs: 60_000 });
  const adhocDelivered = resend.deliveries.filter((d) => !recipients.has(String(d.to))).map((d) => String(d.to));
  expect(adhocDelivered.sort()).toEqual([...adhoc].sort());
}, 150_000);

it("no ad-hoc email starves: under continuous reminder traffic, one that waited past EMAIL_ADHOC_MAX_WAIT_MS rides in the next reminder batches", async () => {
  // 300 reminders due now in batches of 10: 30 requests, 15 s of reminder traffic at 2 requests/s.
  const { recipients } = await queueReminders(150, 0, "busy");
  const adhoc = new Set(await queueAdhoc(4, "starving"));
  const queuedAt = Date.now();
  startLoops({ batchSize: 10, adhocMaxWaitMs: 2_000, adhocShare: 2 });
  await waitFor("every ad-hoc email delivered", () => resend.deliveries.filter((d) => adhoc.has(String(d.to))).length === 4, { timeoutMs: 60_000 }).catch(
    (error: unknown) => {
      // Each request: ms after queuing, emails, ad-hoc emails among them.
      const seen = requests().map((r) => [r.at - queuedAt, r.to.length, r.to.filter((to) => adhoc.has(to)).length]);
      throw new Error(`${String(error)}; requests: ${JSON.stringify(seen)}`);
    },
  );
  await waitFor("drained", () => batchesDrained(t), { timeoutMs: 60_000 });

  const all = requests();
  const carrying = all.filter((r) => r.to.some((to) => adhoc.has(to)));
  // Two at a time (the share), in batches full of reminders, once they had waited 2 s...
  expect(carrying.map((r) => r.to.filter((to) => adhoc.has(to)).length)).toEqual([2, 2]);
  expect(carrying.every((r) => r.to.length === 10 && r.at >= queuedAt + 2_000)).toBe(true);
  // ... while the reminders were still going out: without the rule they would have gone last.
  const after = all.filter((r) => r.at > carrying.at(-1)!.at);
  expect(after.length).toBeGreaterThanOrEqual(5);
  expect(after.every((r) => r.to.every((to) => recipients.has(to)))).toBe(true);
  // Every reminder delivered once all the same.
  expect(resend.deliveries.filter((d) => recipients.has(String(d.to)))).toHaveLength(300);
  expect(resend.rateLimited).toBe(0);
}, 150_000);
