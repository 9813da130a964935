import { eq, inArray } from "drizzle-orm";
import { emailDelivery, log } from "@callastar/db";
import { waitFor } from "@callastar/testing";
import { useWorkerProcesses } from "./worker-processes";

// Ad-hoc emails exist only in Redis: nothing re-derives one that is lost. Real worker processes,
// one of them SIGKILLed again and again while its sends are in flight at the Resend stand-in (which
// accepts them after the worker is gone): each email is still delivered once, its retry answered
// from Resend's replay cache, and recorded once with one EMAIL_SENT row.
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
  });

it("every ad-hoc email survives repeated SIGKILLs: delivered once, one EmailDelivery, one EMAIL_SENT row", async () => {
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
  // Each incarnation of the victim takes every waiting email at once and is killed as soon as the
  // stand-in holds one of its sends: the same jobs die with it again and again (each kill is a
  // stall of every job it held), some of them after Resend accepted them.
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
    await waitFor("a send of the victim in flight", () => resend.inFlight > 0, { timeoutMs: 30_000, intervalMs: 5 }).catch(explain);
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

  const perKey = new Map<string, number>();
  for (const d of resend.deliveries) perKey.set(d.idempotencyKey ?? "", (perKey.get(d.idempotencyKey ?? "") ?? 0) + 1);
  expect([...perKey.keys()].sort()).toEqual([...keys].sort());
  expect([...perKey.values()].every((n) => n === 1)).toBe(true);
  // Kills landed between Resend's accept and the record: those emails' retries were replayed.
  expect(resend.replays.length).toBeGreaterThan(0);

  const deliveries = await t.db.select({ key: emailDelivery.idempotencyKey }).from(emailDelivery).where(inArray(emailDelivery.idempotencyKey, keys));
  expect(deliveries).toHaveLength(EMAILS);
  const sentRows = await t.db.select({ id: log.id }).from(log).where(eq(log.type, "EMAIL_SENT"));
  expect(sentRows.map((r) => r.id).sort()).toEqual(keys.map((k) => `email-sent:${k}`).sort());

  for (const p of survivors) p.child.kill("SIGTERM");
  expect(await Promise.all(survivors.map((p) => p.exited))).toEqual([0, 0]);
  // The sum of the deadlines above: a hang is reported in minutes, not ten.
}, KILLS * (STARTUP_MS + 30_000 + 20_000) + 60_000 + 20_000);
