import { eq, inArray } from "drizzle-orm";
import { emailDelivery, log } from "@callastar/db";
import { waitFor } from "@callastar/testing";
import { useWorkerProcesses } from "./worker-processes";

// Ad-hoc emails exist only in Redis until their job queues them in "PendingEmail": nothing
// re-derives one that is lost. Real worker processes, one of them SIGKILLed again and again while
// its batch request is in flight at the Resend stand-in (which accepts it after the worker is gone):
// each email is still queued once, delivered once (the next holder's request, same key and body,
// answered from Resend's replay cache), and recorded once with one EMAIL_SENT row under its own key.
const EMAILS = 30;
const KILLS = 3;
// A worker starts in a few seconds; on a machine shared with other test runs, several times that.
const STARTUP_MS = 45_000;
// Each send is held 400 ms before Resend accepts it: the window a kill lands in.
const w = useWorkerProcesses("adhoc-crash", { resend: { rateLimitPerSecond: 0, faults: { slowMs: 400 } } });

const worker = (concurrency: number) =>
  w.spawn({
    EMAILS_CONCURRENCY: String(concurrency),
    // A killed worker's jobs come back within ~6 s, however many times they were taken by a
    // process that died (the stall limit is the worker runtime's, WORKER_MAX_STALLED_COUNT).
    WORKER_LOCK_DURATION_MS: "5000",
    WORKER_STALLED_INTERVAL_MS: "1000",
    WORKER_MAX_STALLED_COUNT: "1000",
    // A killed copy's batch is taken over when its lease lapses.
    EMAIL_BATCH_LEASE_MS: "3000",
  });

it("every ad-hoc email survives repeated SIGKILLs of the copy sending its batch: delivered once, one EmailDelivery, one EMAIL_SENT row", async () => {
  const { t, resend, producer } = w;
  const keys = Array.from({ length: EMAILS }, (_, i) => `payment_received:pi_crash_${i}`);
  for (const [i, key] of keys.entries()) {
    await producer.enqueueEmail({
      template: "payment_received",
      props: { recipientName: `Fan ${i}`, amount: 1000 + i, currency: "EUR" },
      to: `fan${i}@example.com`,
      idempotencyKey: key,
    });
  }
  // Each incarnation of the victim queues the waiting emails (or takes over the batch the previous
  // one left) and is killed as soon as the stand-in holds its batch request: Resend accepts it after
  // the victim is gone, so the next holder presents the same request again.
  const queue = producer.queue("emails");
  // A timeout says where the jobs are (BullMQ fails a job stalled more than maxStalledCount times).
  const explain = async (error: unknown): Promise<never> => {
    const failed = await queue.getFailed();
    const reasons = [...new Set(failed.map((j) => j.failedReason))];
    throw new Error(`${String(error)} after ${kills} kill(s); jobs ${JSON.stringify(await queue.getJobCounts())}; failed: ${reasons.join(" | ")}`);
  };
  let kills = 0;
  while (kills < KILLS) {
    const victim = worker(EMAILS);
    await victim.waitForOutput("consuming", STARTUP_MS);
    await waitFor("a batch request of the victim in flight", () => resend.inFlight > 0, { timeoutMs: 30_000, intervalMs: 5 }).catch(explain);
    victim.child.kill("SIGKILL");
    expect(await victim.exited).toBe("SIGKILL");
    kills += 1;
    // Its sends in flight are accepted now, without it.
    await waitFor("the victim's sends answered", () => resend.inFlight === 0, { intervalMs: 5 });
  }
  // Then two copies recover the stalled jobs, racing for them.
  const survivors = [worker(5), worker(5)];
  await waitFor("every job completed", async () => (await queue.getJobCounts("completed")).completed === EMAILS, { timeoutMs: 60_000 }).catch(explain);
  // Every job is done: nothing more can reach the stand-in or the database.
  expect(await queue.getJobCounts("failed", "active", "wait", "delayed")).toEqual({ failed: 0, active: 0, wait: 0, delayed: 0 });

  // The batch sender records asynchronously to the jobs: wait until nothing is queued or batched.
  await waitFor("every email recorded", async () => (await t.sql`SELECT 1 FROM "PendingEmail" UNION ALL SELECT 1 FROM "EmailBatch"`).length === 0, {
    timeoutMs: 60_000,
  }).catch(explain);
  await waitFor("no request in flight", () => resend.inFlight === 0);
  const perRecipient = new Map<string, number>();
  for (const d of resend.deliveries) perRecipient.set(String(d.to), (perRecipient.get(String(d.to)) ?? 0) + 1);
  expect([...perRecipient.keys()].sort()).toEqual(keys.map((_, i) => `fan${i}@example.com`).sort());
  expect([...perRecipient.values()].every((n) => n === 1)).toBe(true);
  // In batch requests, under the batches' keys; our keys are the emails' own (below).
  expect(resend.deliveries.every((d) => d.endpoint === "/emails/batch" && d.idempotencyKey!.startsWith("email-batch:"))).toBe(true);
  // Kills landed between Resend's accept and the record: those batches' retries were replayed.
  expect(resend.replays.length).toBeGreaterThan(0);

  const deliveries = await t.db.select({ key: emailDelivery.idempotencyKey }).from(emailDelivery).where(inArray(emailDelivery.idempotencyKey, keys));
  expect(deliveries).toHaveLength(EMAILS);
  const sentRows = await t.db.select({ id: log.id }).from(log).where(eq(log.type, "EMAIL_SENT"));
  expect(sentRows.map((r) => r.id).sort()).toEqual(keys.map((k) => `email-sent:${k}`).sort());

  for (const p of survivors) p.child.kill("SIGTERM");
  expect(await Promise.all(survivors.map((p) => p.exited))).toEqual([0, 0]);
  // The sum of the deadlines above: a hang is reported in minutes, not ten.
}, KILLS * (STARTUP_MS + 30_000 + 20_000) + 60_000 + 20_000);
