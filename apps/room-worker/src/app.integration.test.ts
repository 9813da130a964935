import { createDailyClient, type DailyClient } from "@callastar/integrations/daily";
import type { WorkerApp as RuntimeWorkerApp } from "@callastar/runtime";
import { startDailyStandin, type DailyStandin } from "@callastar/standins/daily";
import { seedBooking, testEnv, useWorkerTests, waitFor } from "@callastar/testing";
import type { BookingStatus } from "@callastar/db";
import { startRoomWorker } from "./app";
import { deletionIdFor } from "./deletion-record";
import { processDeleteRoom, type DeleteRoomDeps } from "./handlers/delete-room";
import { loadRoomWorkerEnv } from "./env";
import { createProcessLog } from "@callastar/runtime";

const h = useWorkerTests<RuntimeWorkerApp>("rooms", { truncate: ["Log", "Booking", "CallOffer", "Creator", "User"] });
let daily: DailyStandin;
let client: DailyClient;

beforeAll(async () => {
  daily = await startDailyStandin({ domain: "callastar" });
  client = createDailyClient({ apiKey: daily.apiKey, baseUrl: daily.url, timeoutMs: 2000 });
});
afterAll(() => daily.close());
beforeEach(() => daily.reset());

async function start(overrides: Record<string, string> = {}): Promise<RuntimeWorkerApp> {
  const env = loadRoomWorkerEnv({
    NODE_ENV: "test",
    DATABASE_URL: h.t.url,
    REDIS_URL: testEnv.redisUrl,
    QUEUE_PREFIX: h.prefix,
    DAILY_API_KEY: daily.apiKey,
    DAILY_API_URL: daily.url,
    DAILY_TIMEOUT_MS: "2000",
    ...overrides,
  });
  return h.track(await startRoomWorker(env, { exit: () => {}, log: createProcessLog({ app: "test", level: "silent" }) }));
}

/** A booking with a room; `onDaily` false leaves the room absent on Daily (already deleted there). */
async function bookingWithRoom(status: BookingStatus, roomName: string, onDaily = true) {
  if (onDaily) await client.createRoom({ name: roomName, privacy: "private" });
  return seedBooking(h.t, { callDateTime: new Date(Date.now() - 3600_000), status, dailyRoomName: roomName });
}

async function cronRun(cronType: string) {
  const rows = await waitFor(`CRON_RUN of ${cronType}`, async () => {
    const r = await h.t.sql<Array<{ context: Record<string, unknown> }>>`
      SELECT context FROM "Log" WHERE type = 'CRON_RUN' AND context->>'cronType' = ${cronType}`;
    return r.length ? r : null;
  });
  return rows[0]!.context;
}

const logs = (type: string) =>
  h.t.sql<Array<{ context: Record<string, unknown>; error: string | null; message: string }>>`
    SELECT context, error, message FROM "Log" WHERE type = ${type}::"LogType" ORDER BY "createdAt"`;
const roomOf = async (bookingId: string) =>
  (await h.t.sql<Array<{ dailyRoomName: string | null; dailyRoomUrl: string | null }>>`
    SELECT "dailyRoomName", "dailyRoomUrl" FROM "Booking" WHERE id = ${bookingId}`)[0];

describe("cleanup-daily-rooms", () => {
  it("deletes the rooms of finished bookings, counts rooms already gone, and leaves the rest", async () => {
    const a = await bookingWithRoom("COMPLETED", "room-a");
    const b = await bookingWithRoom("CANCELLED", "room-b");
    const c = await bookingWithRoom("COMPLETED", "room-c");
    const gone = await bookingWithRoom("COMPLETED", "room-gone", false);
    const upcoming = await bookingWithRoom("CONFIRMED", "room-upcoming");
    await seedBooking(h.t, { callDateTime: new Date(), status: "COMPLETED" });
    const w = await start();

    await w.ctx.producer.runCron("cleanup-daily-rooms");
    const run = await cronRun("cleanup-daily-rooms");

    expect(run).toMatchObject({
      cronType: "cleanup-daily-rooms",
      itemsProcessed: 4,
      totalBookings: 4,
      roomsDeleted: 3,
      roomsAlreadyDeleted: 1,
      roomsFailed: 0,
      alreadyScheduled: 0,
      trigger: "manual",
    });
    expect(typeof run.duration).toBe("number");
    expect(daily.deletions.map((d) => d.name).sort()).toEqual(["room-a", "room-b", "room-c"]);
    expect([...daily.rooms.keys()]).toEqual(["room-upcoming"]);
    for (const s of [a, b, c, gone]) expect(await roomOf(s.bookingId)).toEqual({ dailyRoomName: null, dailyRoomUrl: null });
    expect((await roomOf(upcoming.bookingId))?.dailyRoomName).toBe("room-upcoming");

    const deleted = await logs("DAILY_ROOM_DELETED");
    expect(deleted).toHaveLength(4);
    expect(deleted.find((l) => l.context.roomId === "room-gone")?.context).toMatchObject({
      bookingId: gone.bookingId,
      roomUrl: "https://callastar.daily.co/room-gone",
      bookingStatus: "COMPLETED",
      deletedBy: "cron_job",
      alreadyDeleted: true,
    });
    expect(deleted.find((l) => l.context.roomId === "room-b")?.context).toMatchObject({
      bookingId: b.bookingId,
      bookingStatus: "CANCELLED",
      deletedBy: "cron_job",
      alreadyDeleted: false,
    });
    // The shared limiter kept us under Daily's 2 DELETE/s: no 429, no error row.
    expect(await logs("DAILY_ROOM_ERROR")).toEqual([]);
    const at = daily.deletions.map((d) => d.at.getTime()).sort((x, y) => x - y);
    expect(at[2]! - at[0]!).toBeGreaterThanOrEqual(900);
  });

  it("writes CRON_RUN at once with zeros when there is nothing to delete", async () => {
    await bookingWithRoom("CONFIRMED", "room-live");
    const w = await start();
    await w.ctx.producer.runCron("cleanup-daily-rooms");
    expect(await cronRun("cleanup-daily-rooms")).toMatchObject({
      itemsProcessed: 0,
      totalBookings: 0,
      roomsDeleted: 0,
      roomsAlreadyDeleted: 0,
      roomsFailed: 0,
    });
    expect(daily.requests.filter((r) => r.method !== "POST")).toEqual([]);
  });

  it("recovers from Daily's 429 and 5xx and still deletes the room once", async () => {
    const s = await bookingWithRoom("COMPLETED", "room-flaky");
    daily.setFaults({ rateLimitNext: 1, failNext: 1, retryAfterSeconds: 1 });
    const w = await start();
    await w.ctx.producer.runCron("cleanup-daily-rooms");
    const run = await cronRun("cleanup-daily-rooms");
    expect(run).toMatchObject({ roomsDeleted: 1, roomsAlreadyDeleted: 0, roomsFailed: 0 });
    expect(daily.deletions.map((d) => d.name)).toEqual(["room-flaky"]);
    expect(await roomOf(s.bookingId)).toEqual({ dailyRoomName: null, dailyRoomUrl: null });
    // The 500 failed attempt 1 (one row, not final); the 429 was a wait, not an error: no row.
    const errors = await logs("DAILY_ROOM_ERROR");
    expect(errors).toHaveLength(1);
    expect(errors[0]?.context).toMatchObject({
      roomId: "room-flaky",
      operation: "delete",
      bookingStatus: "COMPLETED",
      jobName: "delete-room",
      attempt: 1,
      attempts: 8,
      final: false,
    });
    expect((await logs("DAILY_ROOM_DELETED"))[0]?.context).toMatchObject({ attempt: 2, alreadyDeleted: false });
  }, 30_000);

  it("counts rooms Daily refuses to delete as failed, audits them and keeps them on the booking", async () => {
    const s = await bookingWithRoom("COMPLETED", "room-kept");
    const w = await start({ DAILY_API_KEY: "wrong-key" });
    await w.ctx.producer.runCron("cleanup-daily-rooms");
    expect(await cronRun("cleanup-daily-rooms")).toMatchObject({ itemsProcessed: 1, roomsDeleted: 0, roomsFailed: 1 });
    expect((await roomOf(s.bookingId))?.dailyRoomName).toBe("room-kept");
    // A wrong key is permanent: one final row, none from the runtime on top.
    const errors = await logs("DAILY_ROOM_ERROR");
    expect(errors).toHaveLength(1);
    expect(errors[0]?.context).toMatchObject({ roomId: "room-kept", operation: "delete", attempt: 1, final: true });
    expect(errors[0]?.error).toContain("401");
  });
});

describe("delete-room", () => {
  it("deletes a room the main app asks for, as a manual deletion", async () => {
    const s = await bookingWithRoom("COMPLETED", "room-manual");
    const w = await start();
    await w.ctx.producer.enqueueRoomDeletion({ bookingId: s.bookingId, roomName: "room-manual" });
    const [row] = await waitFor("DAILY_ROOM_DELETED", () => logs("DAILY_ROOM_DELETED").then((r) => (r.length ? r : null)));
    expect(row?.context).toMatchObject({ roomId: "room-manual", bookingId: s.bookingId, deletedBy: "manual", alreadyDeleted: false });
    expect(await roomOf(s.bookingId)).toEqual({ dailyRoomName: null, dailyRoomUrl: null });
    expect(daily.rooms.size).toBe(0);
  });

  it("calls nothing when the booking no longer references the room", async () => {
    const s = await seedBooking(h.t, { callDateTime: new Date(), status: "COMPLETED" });
    const w = await start();
    const job = await w.ctx.queue("rooms").add("delete-room", { bookingId: s.bookingId, roomName: "room-old", deletedBy: "manual" });
    await waitFor("job done", async () => (await job.getState()) === "completed");
    expect((await w.ctx.queue("rooms").getJob(job.id!))?.returnvalue).toEqual({
      status: "already_deleted",
      roomName: "room-old",
      bookingId: s.bookingId,
      reason: "room_cleared",
    });
    expect(daily.requests).toEqual([]);
  });

  it("refuses a malformed job on its first attempt with a clear message and a DAILY_ROOM_ERROR row", async () => {
    const w = await start();
    const job = await w.ctx.queue("rooms").add("delete-room", { bookingId: 42, roomName: "bad name!" }, { attempts: 5 });
    await waitFor("job failed", async () => (await job.getState()) === "failed");
    const failed = await w.ctx.queue("rooms").getJob(job.id!);
    expect(failed?.attemptsMade).toBe(1);
    expect(failed?.failedReason).toMatch(/bookingId/);
    expect(failed?.failedReason).toMatch(/roomName/);
    const [row] = await waitFor("DAILY_ROOM_ERROR", () => logs("DAILY_ROOM_ERROR").then((r) => (r.length ? r : null)));
    expect(row?.error).toMatch(/bookingId/);
    expect(daily.requests).toEqual([]);
  });
});

const deletionOf = async (id: string) =>
  (await h.t.sql<Array<{ status: string; failureReason: string | null; finishedAt: Date | null }>>`
    SELECT status, "failureReason", "finishedAt" FROM "DailyRoomDeletion" WHERE id = ${id}`)[0];
const cronRuns = (cronType: string, n: number) =>
  waitFor(`${n} CRON_RUN of ${cronType}`, async () => {
    const r = await h.t.sql<Array<{ context: Record<string, unknown> }>>`
      SELECT context FROM "Log" WHERE type = 'CRON_RUN' AND context->>'cronType' = ${cronType} ORDER BY "createdAt"`;
    return r.length >= n ? r.map((row) => row.context) : null;
  });
const logIds = async (type: string) =>
  (await h.t.sql<Array<{ id: string }>>`SELECT id FROM "Log" WHERE type = ${type}::"LogType" ORDER BY "createdAt"`).map((r) => r.id);

/** Runs one manual deletion job with `attempts` quick attempts until it ends in `state`. */
async function runDeletion(
  w: RuntimeWorkerApp,
  bookingId: string,
  roomName: string,
  attempts: number,
  state: "completed" | "failed",
  jobId = `room-${roomName}`,
) {
  const job = await w.ctx.queue("rooms").add("delete-room", { bookingId, roomName, deletedBy: "manual" }, { jobId, attempts, backoff: { type: "fixed", delay: 50 } });
  await waitFor(`job ${state}`, async () => (await job.getState()) === state);
}

describe("room deletions: the fact and its audit row", () => {
  it("marks a name Daily's rule forbids REFUSED with one final error row, and the next sweep leaves it alone", async () => {
    const s = await bookingWithRoom("COMPLETED", "bad room!", false);
    const w = await start();
    await w.ctx.producer.runCron("cleanup-daily-rooms");
    expect((await cronRuns("cleanup-daily-rooms", 1))[0]).toMatchObject({ totalBookings: 1, roomsFailed: 1 });
    await w.ctx.producer.runCron("cleanup-daily-rooms");
    expect((await cronRuns("cleanup-daily-rooms", 2))[1]).toMatchObject({ totalBookings: 0, roomsFailed: 0 });
    await w.shutdown("drain");

    const id = deletionIdFor(s.bookingId, "bad room!");
    expect(await deletionOf(id)).toMatchObject({ status: "REFUSED", failureReason: expect.stringMatching(/not a valid room name/) });
    expect(await logIds("DAILY_ROOM_ERROR")).toEqual([`room-refused:${id}`]);
    expect((await logs("DAILY_ROOM_ERROR"))[0]?.context).toMatchObject({ final: true, jobName: "cleanup-daily-rooms", attempt: 1 });
    // Left on the booking on purpose (see refuseDeletion); no request ever went to Daily.
    expect((await roomOf(s.bookingId))?.dailyRoomName).toBe("bad room!");
    expect(daily.requests.filter((r) => r.method !== "POST")).toEqual([]);
  });

  it("marks a name Daily answers 400 for REFUSED: the job fails once with one final row, and is not retried by the next sweep", async () => {
    // Daily documents, in places, a 41-character limit for domain and name together: a stricter Daily.
    const strict = await startDailyStandin({ maxNameLength: 20 });
    try {
      const roomName = "call-name-too-long-for-daily";
      const s = await seedBooking(h.t, { callDateTime: new Date(Date.now() - 3600_000), status: "COMPLETED", dailyRoomName: roomName });
      const w = await start({ DAILY_API_KEY: strict.apiKey, DAILY_API_URL: strict.url });
      await w.ctx.producer.runCron("cleanup-daily-rooms");
      expect((await cronRuns("cleanup-daily-rooms", 1))[0]).toMatchObject({ roomsDeleted: 0, roomsFailed: 1 });
      const seen = strict.requests.length;
      await w.ctx.producer.runCron("cleanup-daily-rooms");
      expect((await cronRuns("cleanup-daily-rooms", 2))[1]).toMatchObject({ totalBookings: 0 });
      await w.shutdown("drain");

      const id = deletionIdFor(s.bookingId, roomName);
      expect(await deletionOf(id)).toMatchObject({ status: "REFUSED", failureReason: expect.stringMatching(/400/) });
      expect(await logIds("DAILY_ROOM_ERROR")).toEqual([`room-refused:${id}`]);
      expect((await logs("DAILY_ROOM_ERROR"))[0]?.context).toMatchObject({ final: true, jobName: "delete-room", attempt: 1, deletionId: id });
      expect(strict.requests.length).toBe(seen);
      expect(strict.deletions).toEqual([]);
    } finally {
      await strict.close();
    }
  });

  it("writes the missing row of a deletion finished before its row existed, once", async () => {
    const s = await seedBooking(h.t, { callDateTime: new Date(), status: "COMPLETED" });
    const id = deletionIdFor(s.bookingId, "room-legacy");
    await h.t.sql`INSERT INTO "DailyRoomDeletion" (id, "bookingId", "roomName", status, "deletedBy", "requestedAt", "finishedAt")
      VALUES (${id}, ${s.bookingId}, 'room-legacy', 'DELETED', 'cron_job', now(), now())`;
    const w = await start();
    const queue = w.ctx.queue("rooms");
    for (const jobId of ["legacy-1", "legacy-2"]) {
      const job = await queue.add("delete-room", { bookingId: s.bookingId, roomName: "room-legacy", deletedBy: "cron_job" }, { jobId });
      await waitFor(`${jobId} done`, async () => (await job.getState()) === "completed");
      expect((await queue.getJob(jobId))?.returnvalue).toMatchObject({ status: "deleted" });
    }
    await w.shutdown("drain");
    expect(await logIds("DAILY_ROOM_DELETED")).toEqual([`room-deleted:${id}`]);
    expect((await logs("DAILY_ROOM_DELETED"))[0]?.context).toMatchObject({ deletionId: id, alreadyDeleted: false, backfilled: true });
    expect(daily.requests).toEqual([]);
  });

  it("writes one error row per failed attempt, final only on the last", async () => {
    const s = await bookingWithRoom("COMPLETED", "room-down");
    daily.setFaults({ failNext: 2 });
    const w = await start();
    await runDeletion(w, s.bookingId, "room-down", 2, "failed");
    await w.shutdown("drain");
    const errors = await logs("DAILY_ROOM_ERROR");
    expect(errors.map((e) => [e.context.attempt, e.context.attempts, e.context.final])).toEqual([
      [1, 2, false],
      [2, 2, true],
    ]);
    for (const e of errors) expect(e.context).toMatchObject({ jobId: "room-room-down", jobName: "delete-room", bookingId: s.bookingId });
    expect((await roomOf(s.bookingId))?.dailyRoomName).toBe("room-down");
  });

  it("records a room whose DELETE answer was lost as DELETED (recovered), not already deleted", async () => {
    const s = await bookingWithRoom("COMPLETED", "room-lost");
    daily.setFaults({ dropAfterDeleteNext: 1 });
    const w = await start();
    await runDeletion(w, s.bookingId, "room-lost", 3, "completed");
    await w.shutdown("drain");
    const id = deletionIdFor(s.bookingId, "room-lost");
    expect(await logIds("DAILY_ROOM_DELETED")).toEqual([`room-deleted:${id}`]);
    expect((await logs("DAILY_ROOM_DELETED"))[0]?.context).toMatchObject({ alreadyDeleted: false, recovered: true, attempt: 2 });
    expect(await deletionOf(id)).toMatchObject({ status: "DELETED" });
    expect(await roomOf(s.bookingId)).toEqual({ dailyRoomName: null, dailyRoomUrl: null });
    expect(daily.deletions.map((d) => d.name)).toEqual(["room-lost"]);
  });

  it("deletes a room set again on the booking after its deletion as a new deletion with its own row", async () => {
    const s = await bookingWithRoom("COMPLETED", "room-again");
    const w = await start();
    await runDeletion(w, s.bookingId, "room-again", 1, "completed", "first");
    await client.createRoom({ name: "room-again" });
    await h.t.sql`UPDATE "Booking" SET "dailyRoomName" = 'room-again' WHERE id = ${s.bookingId}`;
    await runDeletion(w, s.bookingId, "room-again", 1, "completed", "second");
    await w.shutdown("drain");
    const id = deletionIdFor(s.bookingId, "room-again");
    expect(await logIds("DAILY_ROOM_DELETED")).toEqual([`room-deleted:${id}`, `room-deleted:${deletionIdFor(s.bookingId, "room-again", 2)}`]);
    expect(daily.deletions.map((d) => d.name)).toEqual(["room-again", "room-again"]);
    expect((await roomOf(s.bookingId))?.dailyRoomName).toBeNull();
  });

  it("holds no transaction or row lock while Daily answers the DELETE", async () => {
    const s = await bookingWithRoom("COMPLETED", "room-slow");
    const w = await start({ DAILY_TIMEOUT_MS: "20000" });
    daily.setFaults({ holdDeleteNext: 1 });
    await w.ctx.producer.enqueueRoomDeletion({ bookingId: s.bookingId, roomName: "room-slow" });
    await waitFor("Daily carried out the DELETE and holds its answer", () => daily.deletions.length === 1);
    const id = deletionIdFor(s.bookingId, "room-slow");
    // The deletion row is free (NOWAIT would fail with 55P03 on a lock) and no session of the worker sits in a transaction.
    const locked = await h.t.sql.begin((tx) => tx`SELECT status FROM "DailyRoomDeletion" WHERE id = ${id} FOR UPDATE NOWAIT`);
    expect(locked).toEqual([{ status: "DELETING" }]);
    const open = await h.t.sql`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'room-worker' AND xact_start IS NOT NULL`;
    expect(open).toEqual([]);
    daily.reset(); // the held answer is cut: the client retries, finds the room gone, records it as ours
    const [row] = await waitFor("DAILY_ROOM_DELETED", () => logs("DAILY_ROOM_DELETED").then((r) => (r.length ? r : null)));
    expect(row?.context).toMatchObject({ deletionId: id, recovered: true });
  });

  it("lets two copies racing on one deletion send one DELETE and write one row", async () => {
    const s = await bookingWithRoom("COMPLETED", "room-race");
    const w = await start();
    const deps: DeleteRoomDeps = { db: w.ctx.db, logger: w.ctx.logger, daily: client, deleteLimiter: { acquire: async () => {} }, leaseMs: 10_000 };
    // Slow answers, so both copies see the room on Daily before either deletes it.
    daily.setFaults({ slowMs: 200 });
    const data = { bookingId: s.bookingId, roomName: "room-race", deletedBy: "manual" as const };
    const copy = (n: number) => processDeleteRoom(deps, data, { id: `copy-${n}`, name: "delete-room", attemptsMade: 0, opts: { attempts: 1 }, queueName: "rooms", timestamp: n });
    const outcomes = await Promise.all([copy(1), copy(2)]);
    await w.shutdown("drain");
    expect(outcomes.map((o) => o.status)).toEqual(["deleted", "deleted"]);
    expect(daily.requests.filter((r) => r.method === "DELETE")).toHaveLength(1);
    expect(await logIds("DAILY_ROOM_DELETED")).toEqual([`room-deleted:${deletionIdFor(s.bookingId, "room-race")}`]);
    expect(await logs("DAILY_ROOM_ERROR")).toEqual([]);
  });
});
