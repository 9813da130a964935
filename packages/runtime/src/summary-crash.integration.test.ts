import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { eq, sql } from "drizzle-orm";
import { cronRun, log } from "@callastar/db";
import { jobIds } from "@callastar/queues";
import {
  createTestDatabase,
  obliteratePrefix,
  startTcpProxy,
  testEnv,
  uniquePrefix,
  waitFor,
  type AppProcess,
  type TcpProxy,
  type TestDatabase,
} from "@callastar/testing";
import { killLeftovers, spawnFixtureWorker } from "./test-fixtures/spawn-fixture";
import { cronRunId } from "./cron-run-store";

// A fanned-out run's summary commits the run's outcome and its CRON_RUN row, then its worker dies
// before BullMQ records the job as completed: the summary runs again on another worker, finds the
// run SUCCEEDED and writes nothing — exactly one CRON_RUN for the run.
let t: TestDatabase;
let prefix: string;
let redis: Redis;
let proxy: TcpProxy;
const procs: AppProcess[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  prefix = uniquePrefix("summary");
  redis = new Redis(testEnv.redisUrl, { maxRetriesPerRequest: null });
  proxy = await startTcpProxy(Number(new URL(testEnv.redisUrl).port || 6379), new URL(testEnv.redisUrl).hostname);
});
afterAll(async () => {
  killLeftovers(procs);
  await proxy.close();
  redis.disconnect();
  await obliteratePrefix(prefix);
  await t.drop();
});

const worker = (redisUrl: string) => {
  return spawnFixtureWorker(procs, {
    DATABASE_URL: t.url,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: prefix,
    WORKER_LOCK_DURATION_MS: "1000",
    WORKER_STALLED_INTERVAL_MS: "500",
  });
};

it("a summary killed after committing its CRON_RUN is rerun and writes nothing more", async () => {
  const jobId = `cleanup-${Date.now()}`;
  const runId = cronRunId("rooms", jobId);
  // Hold the run's row so the summary's finishing statement waits, visibly, until we let it commit.
  await t.db.insert(cronRun).values({ id: runId, queue: "rooms", jobId, cronType: "cleanup-daily-rooms", trigger: "manual", status: "RUNNING", startedAt: new Date() });
  const holder = await t.sql.reserve();
  await holder`BEGIN`;
  await holder`SELECT 1 FROM "CronRun" WHERE "id" = ${runId} FOR UPDATE`;

  const first = worker(`redis://127.0.0.1:${proxy.port}`);
  const rooms = new Queue("rooms", { connection: redis, prefix });
  await rooms.add("cleanup-daily-rooms", { trigger: "manual", requestedBy: "rooms:r1,r2,r3" }, { jobId });
  await waitFor("the summary's finishing statement waiting on the run's row", async () => {
    const [row] = await t.sql`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'crash-fixture' AND wait_event_type = 'Lock' AND datname = current_database()`;
    return row!.n > 0;
  }, { timeoutMs: 40_000 });
  // Cut the worker off Redis, then let the statement commit: the job cannot be marked completed.
  proxy.cut();
  await holder`COMMIT`;
  holder.release();
  await waitFor("the run SUCCEEDED", async () => (await t.db.select().from(cronRun).where(eq(cronRun.id, runId)))[0]?.status === "SUCCEEDED");
  first.child.kill("SIGKILL");
  expect(await first.exited).toBe("SIGKILL");

  const summaryId = jobIds.summary(jobId);
  expect(await rooms.getJobState(summaryId)).toBe("active");
  const second = worker(testEnv.redisUrl);
  await waitFor("the summary rerun and completed", async () => (await rooms.getJobState(summaryId)) === "completed", { timeoutMs: 40_000 });
  const summary = (await rooms.getJob(summaryId))!;
  expect(summary.stalledCounter).toBe(1);
  second.child.kill("SIGTERM");
  expect(await second.exited).toBe(0); // its logger flushed: every row it wrote is in

  const runRows = await t.db.select().from(log).where(sql`${log.context}->>'cronRunId' = ${runId}`);
  expect(runRows.map((r) => [r.id, r.type])).toEqual([[`cron-run:${runId}`, "CRON_RUN"]]);
  expect(runRows[0]!.context).toMatchObject({ cronType: "cleanup-daily-rooms", itemsProcessed: 3 });
  expect(await t.db.select().from(log).where(eq(log.status, "ERROR"))).toHaveLength(0);
  await rooms.close();
}, 120_000);
