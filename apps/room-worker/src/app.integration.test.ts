import { createDailyClient, type DailyClient } from "@callastar/integrations/daily";
import type { WorkerApp as RuntimeWorkerApp } from "@callastar/runtime";
import { startDailyStandin, type DailyStandin } from "@callastar/standins/daily";
import { createTestDatabase, obliteratePrefix, seedBooking, testEnv, uniquePrefix, waitFor, type TestDatabase } from "@callastar/testing";
import type { BookingStatus } from "@callastar/db";
import { startRoomWorker } from "./app";
import { loadRoomWorkerEnv } from "./env";

let t: TestDatabase;
let daily: DailyStandin;
let client: DailyClient;
let app: RuntimeWorkerApp | undefined;
let prefix: string;

beforeAll(async () => {
  t = await createTestDatabase();
  daily = await startDailyStandin({ domain: "callastar" });
  client = createDailyClient({ apiKey: daily.apiKey, baseUrl: daily.url, timeoutMs: 2000 });
});
afterAll(async () => {
  await daily.close();
  await t.drop();
});
beforeEach(async () => {
  daily.reset();
  await t.sql`TRUNCATE "Log", "Booking", "CallOffer", "Creator", "User" CASCADE`;
  prefix = uniquePrefix("rooms");
});
afterEach(async () => {
  await app?.shutdown("test over");
  app = undefined;
  await obliteratePrefix(prefix);
});

async function start(overrides: Record<string, string> = {}): Promise<RuntimeWorkerApp> {
  const env = loadRoomWorkerEnv({
    NODE_ENV: "test",
    DATABASE_URL: t.url,
    REDIS_URL: testEnv.redisUrl,
    QUEUE_PREFIX: prefix,
    DAILY_API_KEY: daily.apiKey,
    DAILY_API_URL: daily.url,
    DAILY_TIMEOUT_MS: "2000",
    ...overrides,
  });
  app = await startRoomWorker(env, { exit: () => {}, log: () => {} });
  return app;
}

/** A booking with a room; `onDaily` false leaves the room absent on Daily (already deleted there). */
async function bookingWithRoom(status: BookingStatus, roomName: string, onDaily = true) {
  if (onDaily) await client.createRoom({ name: roomName, privacy: "private" });
  return seedBooking(t, { callDateTime: new Date(Date.now() - 3600_000), status, dailyRoomName: roomName });
}

async function cronRun(cronType: string) {
  const rows = await waitFor(`CRON_RUN of ${cronType}`, async () => {
    const r = await t.sql<Array<{ context: Record<string, unknown> }>>`
      SELECT context FROM "Log" WHERE type = 'CRON_RUN' AND context->>'cronType' = ${cronType}`;
    return r.length ? r : null;
  });
  return rows[0]!.context;
}

const logs = (type: string) =>
  t.sql<Array<{ context: Record<string, unknown>; error: string | null; message: string }>>`
    SELECT context, error, message FROM "Log" WHERE type = ${type}::"LogType" ORDER BY "createdAt"`;
const roomOf = async (bookingId: string) =>
  (await t.sql<Array<{ dailyRoomName: string | null; dailyRoomUrl: string | null }>>`
    SELECT "dailyRoomName", "dailyRoomUrl" FROM "Booking" WHERE id = ${bookingId}`)[0];

describe("cleanup-daily-rooms", () => {
  it("deletes the rooms of finished bookings, counts rooms already gone, and leaves the rest", async () => {
    const a = await bookingWithRoom("COMPLETED", "room-a");
    const b = await bookingWithRoom("CANCELLED", "room-b");
    const c = await bookingWithRoom("COMPLETED", "room-c");
    const gone = await bookingWithRoom("COMPLETED", "room-gone", false);
    const upcoming = await bookingWithRoom("CONFIRMED", "room-upcoming");
    await seedBooking(t, { callDateTime: new Date(), status: "COMPLETED" });
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
    const errors = await logs("DAILY_ROOM_ERROR");
    expect(errors).toHaveLength(2);
    for (const e of errors) expect(e.context).toMatchObject({ roomId: "room-flaky", operation: "delete", bookingStatus: "COMPLETED", willRetry: true });
    expect(errors.map((e) => e.context.attempt)).toEqual([1, 1]);
    expect((await logs("DAILY_ROOM_DELETED"))[0]?.context).toMatchObject({ attempt: 2, alreadyDeleted: false });
  }, 30_000);

  it("counts rooms Daily refuses to delete as failed, audits them and keeps them on the booking", async () => {
    const s = await bookingWithRoom("COMPLETED", "room-kept");
    const w = await start({ DAILY_API_KEY: "wrong-key" });
    await w.ctx.producer.runCron("cleanup-daily-rooms");
    expect(await cronRun("cleanup-daily-rooms")).toMatchObject({ itemsProcessed: 1, roomsDeleted: 0, roomsFailed: 1 });
    expect((await roomOf(s.bookingId))?.dailyRoomName).toBe("room-kept");
    const errors = await logs("DAILY_ROOM_ERROR");
    expect(errors[0]?.context).toMatchObject({ roomId: "room-kept", operation: "delete", attempt: 1, willRetry: false });
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
    const s = await seedBooking(t, { callDateTime: new Date(), status: "COMPLETED" });
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
