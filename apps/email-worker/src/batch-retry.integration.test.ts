// A retry is the same request: the body is stored when a batch is frozen, every attempt of any copy
// sends those bytes under the batch's key, a holder that lost its lease records nothing, and an
// email that may have been delivered is never recorded as a final failure.
import { eq, inArray, like, sql } from "drizzle-orm";
import { emailBatch, log, pendingEmail } from "@callastar/db";
import { createResendTransport } from "@callastar/emails";
import { startResendStandin, type ResendStandin } from "@callastar/standins";
import { waitFor, type SeededBooking } from "@callastar/testing";
import { useAuditDatabase } from "@callastar/audit-log/test-fixtures";
import { startBatchSender, type BatchSender } from "./batch-sender";
import { createBatchStore } from "./email-batches";
import { createEmailRecorder } from "./email-record";
import { batchesDrained, deliveriesPerRecipient, noPacing, queueReminders, reminderKeys, seedDue } from "./batch-test-kit";

const h = useAuditDatabase();
let resend: ResendStandin;
const loops: BatchSender[] = [];

beforeEach(async () => {
  resend = await startResendStandin({ rateLimitPerSecond: 0 });
  // Each test reads the rows of its own emails only.
  await h.t.sql`DELETE FROM "PendingEmail"`;
  await h.t.sql`DELETE FROM "EmailBatch"`;
  await h.t.sql`DELETE FROM "Log"`;
});
afterEach(async () => {
  await Promise.all(loops.splice(0).map((l) => l.stop()));
  await resend.close();
});

const transport = () => createResendTransport({ apiKey: resend.apiKey, baseUrl: resend.url, timeoutMs: 5_000 });
const sender = (extra: Partial<Parameters<typeof startBatchSender>[0]> = {}) => {
  const loop = startBatchSender({ db: h.t, transport: transport(), pacer: noPacing, pollMs: 20, log: (line) => process.stderr.write(`${line}\n`), ...extra });
  loops.push(loop);
  return loop;
};
async function queued(n: number, label: string): Promise<SeededBooking[]> {
  const bookings = await seedDue(h.t, n, label);
  await queueReminders({ t: h.t, logger: h.logger, transport: transport() }, bookings);
  return bookings;
}
const keysOf = reminderKeys;
const drained = () => batchesDrained(h.t);
const rows = (prefix: string) => h.t.db.select().from(log).where(like(log.id, `${prefix}%`));
const perRecipient = () => deliveriesPerRecipient(resend);

it("a holder whose lease was taken over records nothing; the next holder sends the same bytes and records Resend's replayed answer once", async () => {
  const bookings = await queued(3, "lease");
  resend.setFaults({ slowMs: 1_500 });
  const first = sender({ leaseMs: 3_000 });
  await waitFor("the first request at Resend", () => resend.inFlight === 1);
  const [batch] = await h.t.db.select().from(emailBatch);
  // Another copy takes the batch over while the request is in flight (the holder's lease lapsed, say).
  await h.t.db.update(emailBatch).set({ leaseOwner: "another-copy" }).where(eq(emailBatch.id, batch!.id));
  await waitFor("the first request answered", () => resend.inFlight === 0 && resend.deliveries.length === 6);
  await first.stop();
  // The answer came back to a holder without the lease: nothing recorded, the batch still there.
  expect(await rows("email-sent:")).toEqual([]);
  expect(await h.t.db.select().from(emailBatch)).toHaveLength(1);

  // The new holder (here: any copy, once the lease is free) sends the stored body again.
  resend.setFaults({ slowMs: 0 });
  await h.t.db.update(emailBatch).set({ leaseOwner: null, leaseExpiresAt: null }).where(eq(emailBatch.id, batch!.id));
  sender();
  await waitFor("drained", drained);
  expect(resend.replays).toEqual([batch!.id]);
  expect(resend.deliveries).toHaveLength(6);
  expect((await rows("email-sent:")).map((r) => r.id).sort()).toEqual(keysOf(bookings).map((k) => `email-sent:${k}`).sort());
});

it("the body is stored when the batch is frozen, and a copy that takes the batch over sends exactly those bytes", async () => {
  await queued(2, "bytes");
  resend.setFaults({ failNext: 1 });
  const first = sender();
  await waitFor("one failed attempt recorded", async () => (await rows("email-batch-attempt:")).length === 1);
  await first.stop();
  const [batch] = await h.t.db.select().from(emailBatch);
  expect(batch!.attemptedAt).not.toBeNull();
  expect(JSON.parse(batch!.requestBody!)).toHaveLength(4);
  // Whatever the members' rows say now, the stored body is what goes out again.
  await h.t.db.update(pendingEmail).set({ message: sql`jsonb_set(${pendingEmail.message}::jsonb, '{subject}', '"changed"')::text` });
  await h.t.db.update(emailBatch).set({ leaseOwner: null, leaseExpiresAt: null });
  const bodies: string[] = [];
  const seen = transport();
  const send = seen.sendBatch!.bind(seen);
  seen.sendBatch = (b, o) => (bodies.push(b.body), send(b, o));
  loops.push(startBatchSender({ db: h.t, transport: seen, pacer: noPacing, pollMs: 20 }));
  await waitFor("drained", drained);
  expect(bodies).toEqual([batch!.requestBody]);
  expect(resend.deliveries.map((d) => d.subject)).not.toContain("changed");
});

it("each failed attempt's EMAIL_ERROR row has a deterministic id and commits with the attempt counter", async () => {
  await queued(2, "attempts");
  resend.setFaults({ failNext: 2 });
  sender();
  await waitFor("drained", drained, { timeoutMs: 30_000 });
  const [anyDelivery] = resend.deliveries;
  const batchId = anyDelivery!.idempotencyKey!;
  const attempts = await rows("email-batch-attempt:");
  expect(attempts.map((r) => r.id).sort()).toEqual([`email-batch-attempt:${batchId}:1`, `email-batch-attempt:${batchId}:2`]);
  expect(attempts.every((r) => r.type === "EMAIL_ERROR" && (r.context as { final: boolean }).final === false)).toBe(true);
});

it("409 invalid_idempotent_request is not a final failure: the batch's emails stay unknown, with one row, and are not sent again", async () => {
  const bookings = await queued(2, "conflict");
  // A copy batched them (membership committed) and went away: its lease lapses at once.
  const store = createBatchStore(h.t, createEmailRecorder(h.t, "resend"));
  const batchId = await store.claim("gone-copy", `email-batch:conflict-${Date.now()}`, 100, 1);
  // The batch's key was used before with another body (what storing the body prevents): Resend refuses ours.
  const [member] = await h.t.db.select().from(pendingEmail);
  await fetch(`${resend.url}/emails/batch`, {
    method: "POST",
    headers: { authorization: `Bearer ${resend.apiKey}`, "content-type": "application/json", "idempotency-key": batchId! },
    body: JSON.stringify([{ ...(JSON.parse(member!.message) as object), subject: "another body" }]),
  });
  sender();
  await waitFor("the batch left unknown", async () => (await h.t.db.select().from(emailBatch).where(sql`${emailBatch.unknownAt} IS NOT NULL`)).length === 1);
  const [unknown] = await h.t.db.select().from(emailBatch);
  expect(unknown!.unknownReason).toContain("invalid_idempotent_request");
  expect(await rows("email-failed:")).toEqual([]);
  const [row] = await rows("email-batch-unknown:");
  expect(row!.id).toBe(`email-batch-unknown:${batchId}`);
  expect(row!.context).toMatchObject({ final: false, outcome: "unknown", emails: 4 });
  expect(await h.t.db.select().from(pendingEmail).where(inArray(pendingEmail.idempotencyKey, keysOf(bookings)))).toHaveLength(4);
  // Unknown is left for an operator: the sender goes on with other emails and never sends it again.
  const requests = resend.requests;
  const later = await queued(1, "after");
  await waitFor("the next booking delivered", async () => (await rows("email-sent:")).length === 2);
  expect(resend.requests).toBe(requests + 1);
  expect(resend.deliveries.filter((d) => d.idempotencyKey === batchId)).toHaveLength(1);
  expect((await rows("email-sent:")).map((r) => r.id).sort()).toEqual(keysOf(later).map((k) => `email-sent:${k}`).sort());
});

it("a batch first sent longer ago than Resend's replay window allows is left unknown instead of being sent again", async () => {
  await queued(1, "window");
  resend.setFaults({ failNext: 1 });
  const first = sender();
  await waitFor("one failed attempt", async () => (await rows("email-batch-attempt:")).length === 1);
  await first.stop();
  await h.t.db.update(emailBatch).set({ attemptedAt: sql`CURRENT_TIMESTAMP - interval '23 hours 30 minutes'`, leaseOwner: null, leaseExpiresAt: null });
  const requests = resend.requests;
  sender();
  await waitFor("the batch left unknown", async () => (await h.t.db.select().from(emailBatch).where(sql`${emailBatch.unknownAt} IS NOT NULL`)).length === 1);
  expect(resend.requests).toBe(requests);
  expect(await rows("email-failed:")).toEqual([]);
});

it("answers lost after Resend accepted them, amid 429s and 500s: every email delivered once and recorded as sent, none mis-audited", async () => {
  const bookings = await queued(60, "lost");
  resend.setFaults({ rateLimitRate: 0.2, retryAfterSeconds: 1, failRate: 0.15, dropAfterAcceptRate: 0.3 });
  for (let i = 0; i < 3; i++) sender({ batchSize: 10 });
  await waitFor("drained", drained, { timeoutMs: 120_000 });

  expect(resend.replays.length).toBeGreaterThan(0);
  expect(perRecipient().size).toBe(120);
  expect([...perRecipient().values()].every((n) => n === 1)).toBe(true);
  expect((await rows("email-sent:")).map((r) => r.id).sort()).toEqual(keysOf(bookings).map((k) => `email-sent:${k}`).sort());
  expect(await rows("email-failed:")).toEqual([]);
  expect(await rows("email-batch-unknown:")).toEqual([]);
}, 180_000);

it("stop() returns within its bound while a request hangs, and leaves the batch to its lease", async () => {
  await queued(1, "stop");
  resend.setFaults({ slowMs: 4_000 });
  const loop = startBatchSender({ db: h.t, transport: transport(), pacer: noPacing, pollMs: 20, stopTimeoutMs: 200 });
  await waitFor("a request in flight", () => resend.inFlight === 1);
  await loop.stop();
  // Returned with the request still unanswered: it did not wait for it.
  expect(resend.inFlight).toBe(1);
  await waitFor("the request answered", () => resend.inFlight === 0);
});

it("health(): progress while idle, work due while a batch is held", async () => {
  const loop = sender();
  const before = loop.health().lastProgressAt;
  await waitFor("an idle poll", () => loop.health().lastProgressAt > before);
  expect(loop.health().workDue).toBe(false);
  resend.setFaults({ slowMs: 1_000 });
  await queued(1, "health");
  await waitFor("a request in flight", () => resend.inFlight === 1);
  expect(loop.health().workDue).toBe(true);
  await waitFor("drained", drained);
});
