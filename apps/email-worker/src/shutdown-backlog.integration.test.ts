// SIGTERM while a backlog waits for Resend's rate slots: the batch senders waiting for a slot give
// it up and their leases, jobs not yet run stay in the queue without spending an attempt, the
// emails queued stay in "PendingEmail" for the next copy, and every worker process exits 0 within
// its shutdown deadline (before, each waited for a slot at 2 requests/s shared by all).
import { waitFor } from "@callastar/testing";
import { useWorkerProcesses } from "./worker-processes";

const EMAILS = 300;
const SHUTDOWN_TIMEOUT_MS = 10_000;
const w = useWorkerProcesses("shutdown-backlog", { resend: { rateLimitPerSecond: 2 } });

it("three workers stopped while 300 ad-hoc emails wait for slots: each exits 0 in time, no job failed or spent an attempt, nothing lost", async () => {
  const { producer, resend, procs, t } = w;
  for (let i = 0; i < EMAILS; i += 50) {
    await Promise.all(
      Array.from({ length: 50 }, (_, k) =>
        producer.enqueueEmail({
          template: "payment_received",
          props: { recipientName: `Fan ${i + k}`, amount: 1000, currency: "EUR" },
          to: `fan${i + k}@example.com`,
          idempotencyKey: `payment_received:pi_backlog_${i + k}`,
        }),
      ),
    );
  }
  for (let i = 0; i < 3; i++) {
    // Two emails a request: 150 requests, a backlog of more than a minute at 2 requests/s.
    w.spawn({ EMAIL_RATE_LIMIT_PER_SECOND: "2", EMAIL_BATCH_SIZE: "2", SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) });
  }
  // A few delivered; the six sender loops hold batches, most of them waiting for a slot.
  await waitFor("sends under way", () => resend.deliveries.length >= 8, { timeoutMs: 120_000 });
  const stoppedAt = Date.now();
  for (const p of procs) p.child.kill("SIGTERM");
  const exits = await Promise.all(procs.map((p) => p.exited.then((code) => ({ code, ms: Date.now() - stoppedAt }))));
  expect(exits.map((e) => e.code)).toEqual([0, 0, 0]);
  for (const e of exits) expect(e.ms).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
  const queue = producer.queue("emails");
  expect(await queue.getFailedCount()).toBe(0);
  // Every job not delivered is back in the queue (waiting or delayed), none with an attempt spent.
  const left = [...(await queue.getWaiting()), ...(await queue.getDelayed())];
  expect(left.length + (await queue.getCompletedCount())).toBe(EMAILS);
  expect(left.filter((j) => j.attemptsMade > 0)).toEqual([]);
  expect(await queue.getActiveCount()).toBe(0);
  // Every email is delivered or still queued, durably, for the next copy; no batch is left leased.
  const [rows] = await t.sql<Array<{ queued: number; leased: number }>>`
    SELECT (SELECT count(*)::int FROM "PendingEmail") AS queued,
      (SELECT count(*)::int FROM "EmailBatch" WHERE "leaseOwner" IS NOT NULL AND "leaseExpiresAt" > CURRENT_TIMESTAMP) AS leased`;
  expect(rows!.queued).toBeGreaterThan(0);
  expect(rows!.leased).toBe(0);
  const completed = await queue.getCompleted();
  const delivered = new Set(resend.deliveries.map((d) => String(d.to)));
  expect(delivered.size).toBe(resend.deliveries.length);
  expect(rows!.queued + delivered.size).toBe(completed.length);
}, 180_000);
