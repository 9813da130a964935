import { and, eq, sql } from "drizzle-orm";
import { log } from "@callastar/db";
import { JOBS } from "@callastar/queues";
import { waitFor } from "@callastar/testing";
import { useFixtureWorkers } from "./test-fixtures/spawn-fixture";
import { fixtureKeys } from "./test-fixtures/bindings";

// Real worker processes on the production runtime, SIGKILLed while they run a job: a job survives
// crashes (the default stall limit), and a job that kills every worker taking it ends, bounded,
// in the failed set with one error row.
const f = useFixtureWorkers("stall");

// Short lock and check so a crash is recovered in about a second; the stall limit is left at its default.
const worker = (extra: Record<string, string> = {}) => {
  return f.spawn({
    WORKER_LOCK_DURATION_MS: "1000",
    WORKER_STALLED_INTERVAL_MS: "500",
    ...extra,
  });
};
const starts = (id: string) => f.redis.lrange(fixtureKeys.started(f.prefix, id), 0, -1);
const errorRows = (jobId: string) =>
  f.t.db.select().from(log).where(and(eq(log.status, "ERROR"), sql`${log.context}->>'jobId' = ${jobId}`));

it("a job whose worker is SIGKILLed twice while running it completes (not failed), with no error row", async () => {
  const id = `block-${Date.now()}`;
  const job = await f.reminders.add("booking-reminder", { bookingId: id }, { ...JOBS["booking-reminder"].options, jobId: `reminder-${id}` });
  for (let crash = 1; crash <= 2; crash++) {
    const p = worker();
    await waitFor(`start ${crash} of the job in pid ${p.child.pid}`, async () => (await starts(id)).includes(String(p.child.pid)), { timeoutMs: 30_000 });
    p.child.kill("SIGKILL");
    expect(await p.exited).toBe("SIGKILL");
  }
  const last = worker();
  await waitFor("third start", async () => (await starts(id)).includes(String(last.child.pid)), { timeoutMs: 30_000 });
  await f.redis.set(fixtureKeys.release(f.prefix, id), "1");
  await waitFor("job completed", async () => (await f.reminders.getJobState(job.id!)) === "completed", { timeoutMs: 30_000 });

  const done = (await f.reminders.getJob(job.id!))!;
  expect(done.stalledCounter).toBe(2);
  expect(done.attemptsMade).toBe(1);
  expect(await starts(id)).toHaveLength(3);
  expect(await errorRows(job.id!)).toHaveLength(0);
  last.child.kill("SIGTERM");
  expect(await last.exited).toBe(0);
}, 120_000);

it("a poison job (it kills every worker that takes it) fails after WORKER_MAX_STALLED_COUNT crashes with one error row", async () => {
  const id = `poison-${Date.now()}`;
  const job = await f.reminders.add("booking-reminder", { bookingId: id }, { ...JOBS["booking-reminder"].options, jobId: `reminder-${id}` });
  // Keep one worker alive: each one the poison job kills is replaced, as an orchestrator would.
  let current = worker({ WORKER_MAX_STALLED_COUNT: "2" });
  await waitFor("job failed", async () => {
    if (current.child.exitCode !== null || current.child.signalCode !== null) current = worker({ WORKER_MAX_STALLED_COUNT: "2" });
    return (await f.reminders.getJobState(job.id!)) === "failed";
  }, { timeoutMs: 90_000, intervalMs: 200 });

  const failed = (await f.reminders.getJob(job.id!))!;
  expect(failed.failedReason).toMatch(/stalled 3 times/);
  expect(await starts(id)).toHaveLength(3); // the first run and two recoveries, then no more
  await waitFor("worker ready", () => current.output().includes("consuming"));
  current.child.kill("SIGTERM");
  expect(await current.exited).toBe(0);
  const rows = await errorRows(job.id!);
  expect(rows).toHaveLength(1);
  expect(rows[0]!.type).toBe("EMAIL_ERROR");
  expect(rows[0]!.context).toMatchObject({ jobId: job.id, jobName: "booking-reminder", bookingId: id, final: true, stalls: 3, attempt: 1, attempts: 6 });
  expect(rows[0]!.message).toMatch(/stalled 3 times/);
}, 150_000);
