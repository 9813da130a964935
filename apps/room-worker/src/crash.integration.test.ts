import { Redis } from "ioredis";
import { createDailyClient } from "@callastar/integrations/daily";
import { jobIds } from "@callastar/queues";
import { Producer } from "@callastar/producer";
import type { WorkerApp } from "@callastar/runtime";
import { startDailyStandin, type DailyStandin } from "@callastar/standins/daily";
import { createTestDatabase, obliteratePrefix, seedBooking, spawnApp, testEnv, uniquePrefix, waitFor, type AppProcess, type TestDatabase } from "@callastar/testing";
import { startRoomWorker } from "./app";
import { deletionIdFor } from "./deletion-record";
import { loadRoomWorkerEnv } from "./env";
import { createProcessLog } from "@callastar/runtime";

// A real room-worker process SIGKILLed after Daily carried out its DELETE and before anything was
// recorded (the stand-in holds the answer, so the window is certain): the retry must know the DELETE
// was ours, record it once as DELETED (recovered), and clear the booking.
let t: TestDatabase;
let daily: DailyStandin;
let prefix: string;
let redis: Redis;
let producer: Producer;
let app: WorkerApp | undefined;
const procs: AppProcess[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  daily = await startDailyStandin({ domain: "callastar" });
});
afterAll(async () => {
  await daily.close();
  await t.drop();
});
beforeEach(() => {
  prefix = uniquePrefix("rooms-crash");
  redis = new Redis(testEnv.redisUrl, { maxRetriesPerRequest: 1 });
  producer = new Producer({ connection: redis, prefix });
});
afterEach(async () => {
  for (const p of procs.splice(0)) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
  await app?.shutdown("test over");
  app = undefined;
  await producer.close();
  redis.disconnect();
  await obliteratePrefix(prefix);
});

const envFor = () => ({
  NODE_ENV: "test",
  DATABASE_URL: t.url,
  REDIS_URL: testEnv.redisUrl,
  QUEUE_PREFIX: prefix,
  DAILY_API_KEY: daily.apiKey,
  DAILY_API_URL: daily.url,
  // Long enough that only the kill ends the held DELETE; short locks so the job is taken back fast.
  DAILY_TIMEOUT_MS: "60000",
  WORKER_LOCK_DURATION_MS: "2000",
  WORKER_STALLED_INTERVAL_MS: "1000",
});

it("a worker killed between Daily's DELETE and its record: the retry records DELETED (recovered) once and clears the booking", async () => {
  const roomName = "room-killed";
  await createDailyClient({ apiKey: daily.apiKey, baseUrl: daily.url }).createRoom({ name: roomName });
  const s = await seedBooking(t, { callDateTime: new Date(Date.now() - 3600_000), status: "COMPLETED", dailyRoomName: roomName });
  daily.setFaults({ holdDeleteNext: 1 });

  const first = spawnApp("room-worker", envFor());
  procs.push(first);
  await first.waitForOutput("consuming");
  await producer.enqueueRoomDeletion({ bookingId: s.bookingId, roomName });
  await waitFor("Daily carried out the DELETE", () => daily.deletions.length === 1);
  first.child.kill("SIGKILL");
  expect(await first.exited).toBe("SIGKILL");

  // The window: the room is gone at Daily, the booking still holds it, no row says so.
  const roomOf = async () =>
    (await t.sql<Array<{ dailyRoomName: string | null }>>`SELECT "dailyRoomName" FROM "Booking" WHERE id = ${s.bookingId}`)[0]?.dailyRoomName;
  expect(await roomOf()).toBe(roomName);
  const deletedRows = () => t.sql<Array<{ id: string; context: Record<string, unknown> }>>`
    SELECT id, context FROM "Log" WHERE type = 'DAILY_ROOM_DELETED'`;
  expect(await deletedRows()).toEqual([]);
  const id = deletionIdFor(s.bookingId, roomName);
  const status = async () => (await t.sql<Array<{ status: string }>>`SELECT status FROM "DailyRoomDeletion" WHERE id = ${id}`)[0]?.status;

  app = await startRoomWorker(loadRoomWorkerEnv(envFor()), { exit: () => {}, log: createProcessLog({ app: "test", level: "silent" }) });
  const job = await waitFor("the job taken back", () => producer.queue("rooms").getJob(jobIds.room(roomName)));
  await waitFor("the retry completed", async () => (await job.getState()) === "completed", { timeoutMs: 30_000 });
  await app.shutdown("drain");

  const rows = await deletedRows();
  expect(rows.map((r) => r.id)).toEqual([`room-deleted:${id}`]);
  expect(rows[0]?.context).toMatchObject({ bookingId: s.bookingId, roomId: roomName, alreadyDeleted: false, recovered: true, deletionId: id });
  expect(await status()).toBe("DELETED");
  expect(await roomOf()).toBeNull();
  expect(daily.deletions.map((d) => d.name)).toEqual([roomName]);
  expect(await t.sql`SELECT id FROM "Log" WHERE type = 'DAILY_ROOM_ERROR'`).toHaveLength(0);
}, 90_000);
