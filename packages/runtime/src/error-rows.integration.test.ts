import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { and, eq, sql } from "drizzle-orm";
import { cronRun, log } from "@callastar/db";
import { createTestDatabase, obliteratePrefix, testEnv, uniquePrefix, waitFor, type TestDatabase } from "@callastar/testing";
import { createProcessLog } from "@callastar/process-log";
import { startWorkerApp, type WorkerApp } from "./worker-app";
import { cronRunId } from "./cron-run-store";
import { fixtureBindings, fixtureKeys } from "./test-fixtures/bindings";

// One error row per failed attempt, typed by what the job is, written by the runtime only for
// failures no handler audited; a cron run's final failure finishes its CronRun with its row.
let t: TestDatabase;
let app: WorkerApp;
let redis: Redis;
let reminders: Queue;
let rooms: Queue;
const prefix = uniquePrefix("rows");

beforeAll(async () => {
  t = await createTestDatabase();
  app = await startWorkerApp({
    name: "rows-test",
    databaseUrl: t.url,
    redis: testEnv.redisUrl,
    prefix,
    shutdownTimeoutMs: 5_000,
    bindings: fixtureBindings(),
    exit: () => undefined,
    log: createProcessLog({ app: "rows-test", level: "silent" }),
  });
  redis = new Redis(testEnv.redisUrl, { maxRetriesPerRequest: null });
  reminders = new Queue("reminders", { connection: redis, prefix });
  rooms = new Queue("rooms", { connection: redis, prefix });
});
afterAll(async () => {
  await reminders.close();
  await rooms.close();
  await app.shutdown("test over");
  redis.disconnect();
  await obliteratePrefix(prefix);
  await t.drop();
});

const fast = { backoff: { type: "fixed", delay: 10 } };
// Rows are written before the job leaves `active`; the flush drains what the logger still holds.
async function settle(jobId: string, state: "failed" | "completed") {
  await waitFor(`${jobId} ${state}`, async () => (await reminders.getJobState(jobId)) === state);
  await app.ctx.logger.flush();
}
const rowsOf = (jobId: string) => t.db.select().from(log).where(sql`${log.context}->>'jobId' = ${jobId}`);

it("a cron job failing on every attempt: one CRON_ERROR per attempt, only the last final, and its CronRun FAILED with it", async () => {
  const job = await reminders.add("send-booking-reminders", { trigger: "manual", requestedBy: "fail" }, { ...fast, attempts: 2, jobId: "sweep-fails" });
  await settle(job.id!, "failed");
  const rows = await rowsOf(job.id!);
  expect(rows.map((r) => r.type)).toEqual(["CRON_ERROR", "CRON_ERROR"]);
  const final = rows.filter((r) => r.context?.final === true);
  expect(final).toHaveLength(1);
  const id = cronRunId("reminders", job.id!);
  expect(final[0]!.id).toBe(`cron-error:${id}`);
  expect(final[0]!.context).toMatchObject({ cronType: "send-booking-reminders", jobId: job.id, cronRunId: id, jobName: "send-booking-reminders", attempt: 2, attempts: 2 });
  const first = rows.find((r) => r.context?.final === false)!;
  expect(first.context).toMatchObject({ attempt: 1, attempts: 2 });
  // A crash and a rerun of this attempt would write this very id again: one row.
  expect(first.id).toBe(`job-attempt:reminders:${job.id}:${job.timestamp}:1`);
  const [run] = await t.db.select().from(cronRun).where(eq(cronRun.id, id));
  expect(run).toMatchObject({ status: "FAILED", cronType: "send-booking-reminders", trigger: "manual", queue: "reminders", jobId: job.id });
});

it("a cron run that succeeds: CronRun SUCCEEDED with one CRON_RUN row of id cron-run:<id>", async () => {
  const job = await reminders.add("send-booking-reminders", { trigger: "schedule" }, { jobId: "sweep-ok" });
  await settle(job.id!, "completed");
  const id = cronRunId("reminders", job.id!);
  const rows = await t.db.select().from(log).where(sql`${log.context}->>'cronRunId' = ${id}`);
  expect(rows.map((r) => [r.id, r.type])).toEqual([[`cron-run:${id}`, "CRON_RUN"]]);
  const [run] = await t.db.select().from(cronRun).where(eq(cronRun.id, id));
  expect(run).toMatchObject({ status: "SUCCEEDED", itemsProcessed: 1 });
});

it("two cron runs added without an id on two queues (the same counter value) are two runs, each with its row", async () => {
  // As Bull Board adds a job: no jobId, so each queue numbers its own; runs are added to the queue
  // whose counter is behind until both hand out the same number (earlier tests used some).
  const addRun = { reminders: () => reminders.add("send-booking-reminders", { trigger: "manual" }), rooms: () => rooms.add("cleanup-daily-rooms", { trigger: "manual" }) };
  let onReminders = await addRun.reminders();
  let onRooms = await addRun.rooms();
  while (onRooms.id !== onReminders.id) {
    if (Number(onRooms.id) < Number(onReminders.id)) onRooms = await addRun.rooms();
    else onReminders = await addRun.reminders();
  }
  await settle(onReminders.id!, "completed");
  await waitFor("the rooms run completed", async () => (await rooms.getJobState(onRooms.id!)) === "completed");
  const runs = await t.db.select().from(cronRun).where(eq(cronRun.jobId, onRooms.id!));
  expect(runs.map((r) => [r.id, r.queue, r.cronType, r.status]).sort()).toEqual([
    [cronRunId("reminders", onReminders.id!), "reminders", "send-booking-reminders", "SUCCEEDED"],
    [cronRunId("rooms", onRooms.id!), "rooms", "cleanup-daily-rooms", "SUCCEEDED"],
  ]);
  const rows = await t.db.select().from(log).where(eq(log.type, "CRON_RUN"));
  expect(rows.filter((r) => r.context?.jobId === onRooms.id).map((r) => r.id).sort()).toEqual(
    [`cron-run:${cronRunId("reminders", onReminders.id!)}`, `cron-run:${cronRunId("rooms", onRooms.id!)}`].sort(),
  );
});

it("a malformed job fails on its first attempt with exactly one row, typed by the job", async () => {
  const job = await reminders.add("booking-reminder", { bookingId: "not a valid id!" }, { attempts: 6, jobId: "malformed-1" });
  await settle(job.id!, "failed");
  const rows = await rowsOf(job.id!);
  expect(rows).toHaveLength(1);
  expect(rows[0]!.type).toBe("EMAIL_ERROR");
  expect(rows[0]!.context).toMatchObject({ jobName: "booking-reminder", attempt: 1, attempts: 6, final: true });
  expect(rows[0]!.error).toMatch(/bookingId/);
});

it("an entity job that throws: one row per attempt with its bookingId, final only on the last", async () => {
  const job = await reminders.add("booking-reminder", { bookingId: "fail-42" }, { ...fast, attempts: 3, jobId: "reminder-fail-42" });
  await settle(job.id!, "failed");
  const rows = await rowsOf(job.id!);
  expect(rows).toHaveLength(3);
  expect(rows.every((r) => r.type === "EMAIL_ERROR" && r.context?.bookingId === "fail-42")).toBe(true);
  expect(rows.map((r) => r.context?.final).sort()).toEqual([false, false, true]);
  expect(await t.db.select().from(log).where(and(eq(log.type, "CRON_ERROR"), sql`${log.context}->>'jobId' = ${job.id}`))).toHaveLength(0);
});

it("a rate-limit wait writes no error row and spends no attempt", async () => {
  const job = await reminders.add("booking-reminder", { bookingId: "limited-7" }, { attempts: 1, jobId: "reminder-limited-7" });
  await settle(job.id!, "completed");
  expect(await redis.llen(fixtureKeys.started(prefix, "limited-7"))).toBe(2);
  expect(await rowsOf(job.id!)).toHaveLength(0);
});
