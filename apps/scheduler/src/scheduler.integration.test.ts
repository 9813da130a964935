import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { eq } from "drizzle-orm";
import { log } from "@callastar/db";
import { SCHEDULERS, SCHEDULER_IDS, type QueueName } from "@callastar/queues";
import { createTestDatabase, obliteratePrefix, testEnv, uniquePrefix, waitFor, type TestDatabase } from "@callastar/testing";
import { startScheduler, type SchedulerApp } from "./app";
import { loadSchedulerEnv } from "./env";
import { declaredSchedulers, findBrokenSchedulers, pendingRun, upsertScheduler } from "./registry";
import { createProcessLog } from "@callastar/runtime";

let t: TestDatabase;
let prefix: string;
let redis: Redis;
let app: SchedulerApp | undefined;
const queues = new Map<string, Queue>();
const queue = (name: QueueName) => {
  if (!queues.has(name)) queues.set(name, new Queue(name, { connection: redis, prefix }));
  return queues.get(name)!;
};
const env = (extra: Record<string, string> = {}) =>
  loadSchedulerEnv({
    DATABASE_URL: t.url,
    REDIS_URL: testEnv.redisUrl,
    QUEUE_PREFIX: prefix,
    SCHEDULER_CHECK_INTERVAL_MS: "3600000",
    ...extra,
  });

beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.drop());
beforeEach(() => {
  prefix = uniquePrefix("sched");
  redis = new Redis(testEnv.redisUrl, { maxRetriesPerRequest: null });
});
afterEach(async () => {
  await app?.shutdown("test over");
  app = undefined;
  await Promise.all([...queues.values()].map((q) => q.close()));
  queues.clear();
  redis.disconnect();
  await obliteratePrefix(prefix);
});

const silent = { exit: () => undefined, log: createProcessLog({ app: "test", level: "silent" }) };

describe("scheduler", () => {
  it("registers every declared job scheduler with their patterns and time zone, and removes undeclared ones", async () => {
    await queue("payouts").upsertJobScheduler("retired-cron", { pattern: "0 0 * * *" }, { name: "process-payouts" });
    app = await startScheduler(env({ CRON_TZ: "Europe/Paris", CRON_CLEANUP_LOGS: "30 4 * * *" }), silent);
    for (const id of SCHEDULER_IDS) {
      const s = await queue(SCHEDULERS[id].queue).getJobScheduler(id);
      expect(s).toBeDefined();
      expect(s!.tz).toBe("Europe/Paris");
      expect(s!.pattern).toBe(id === "cleanup-logs" ? "30 4 * * *" : SCHEDULERS[id].defaultPattern);
      expect(s!.next).toBeGreaterThan(Date.now());
      expect(s!.name).toBe(SCHEDULERS[id].jobName);
    }
    expect(await queue("payouts").getJobScheduler("retired-cron")).toBeUndefined();
  });

  it("is idempotent: a second start changes nothing and keeps one scheduler per id", async () => {
    app = await startScheduler(env(), silent);
    await app.shutdown("restart");
    app = await startScheduler(env(), silent);
    const all = await Promise.all((["reminders", "emails", "rooms", "payouts", "maintenance"] as const).map((q) => queue(q).getJobSchedulersCount()));
    expect(all.reduce((a, b) => a + b, 0)).toBe(SCHEDULER_IDS.length);
  });

  it("repairs a scheduler whose next job was lost, and audits it", async () => {
    app = await startScheduler(env(), silent);
    const q = queue("rooms");
    const s = await q.getJobScheduler("cleanup-daily-rooms");
    // Lose the delayed job the way a Redis failover or a hand edit would (BullMQ forbids removing it).
    const lost = `repeat:cleanup-daily-rooms:${s!.next}`;
    await redis.multi().del(q.toKey(lost)).zrem(q.toKey("delayed"), lost).exec();
    expect(await q.getJobState(lost)).toBe("unknown");
    expect(await app.check()).toBe(1);
    const after = await q.getJobScheduler("cleanup-daily-rooms");
    expect(await q.getJobState(`repeat:cleanup-daily-rooms:${after!.next}`)).toBe("delayed");
    const rows = await t.db.select().from(log).where(eq(log.type, "SYSTEM_ERROR"));
    expect(rows.some((r) => r.context?.schedulerId === "cleanup-daily-rooms")).toBe(true);
    expect(await app.check()).toBe(0);
  });

  it("keeps a due run waiting for a worker however late, through checks and a restart (no run skipped)", async () => {
    // Every second: the first run is due at once, and no worker is there to take it.
    app = await startScheduler(env({ CRON_CLEANUP_DAILY_ROOMS: "* * * * * *" }), silent);
    const q = queue("rooms");
    const first = await q.getJobScheduler("cleanup-daily-rooms");
    const waiting = await pendingRun(q, "cleanup-daily-rooms", first!.next);
    expect(waiting).toBeDefined();
    // Checked two minutes past its time (the old check flagged a run over 60 s late and re-registered it, deleting it).
    const late: string[] = [];
    const declared = declaredSchedulers({ CRON_CLEANUP_DAILY_ROOMS: "* * * * * *" }, "UTC");
    expect(await findBrokenSchedulers(queue, declared, first!.next! + 120_000, (id) => late.push(id))).toEqual([]);
    expect(late).toContain("cleanup-daily-rooms");
    expect(await app.check()).toBe(0);
    // Restarted once the run is overdue: the start-up registration must not replace it.
    await waitFor("the run overdue", () => Date.now() > first!.next! + 1_000);
    await app.shutdown("restart");
    app = await startScheduler(env({ CRON_CLEANUP_DAILY_ROOMS: "* * * * * *" }), silent);
    // The same job is still there, and a worker coming back runs it.
    expect(await q.getJobState(waiting!.id!)).toMatch(/waiting|delayed|prioritized/);
    expect((await q.getJobScheduler("cleanup-daily-rooms"))!.next).toBe(first!.next);
    const taken: string[] = [];
    // BullMQ does not close a connection it was given: the duplicate is quit here, or jest never exits.
    const workerRedis = redis.duplicate();
    const worker = new Worker("rooms", async (job) => void taken.push(job.id!), { connection: workerRedis, prefix });
    try {
      await waitFor("the waiting run taken", () => taken.includes(waiting!.id!));
    } finally {
      await worker.close();
      workerRedis.disconnect();
    }
  });

  it("reports a scheduler's next run to the millisecond (the demo's \"next run\" lines, never …:59.999Z)", async () => {
    const [declared] = declaredSchedulers({ CRON_CLEANUP_DAILY_ROOMS: "0 * * * * *" }, "UTC").filter((s) => s.id === "cleanup-daily-rooms");
    // The drift it guards against came in about one upsert of seven: thirty make a miss unlikely.
    for (let i = 0; i < 30; i++) {
      const next = await upsertScheduler(queue("rooms"), declared!);
      expect(next).toBe((await queue("rooms").getJobScheduler("cleanup-daily-rooms"))!.next);
      expect(next! % 60_000).toBe(0);
    }
  });

  it("refuses a malformed pattern or time zone, naming the variable", () => {
    expect(() => env({ CRON_PROCESS_PAYOUTS: "every hour" })).toThrow(/CRON_PROCESS_PAYOUTS/);
    expect(() => env({ CRON_TZ: "Mars/Olympus" })).toThrow(/CRON_TZ/);
    expect(() => loadSchedulerEnv({ REDIS_URL: "http://x" })).toThrow(/DATABASE_URL[\s\S]*REDIS_URL|REDIS_URL[\s\S]*DATABASE_URL/);
  });
});
