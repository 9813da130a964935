import { Queue } from "bullmq";
import { createDb } from "@callastar/db";
import { createAuditLogger, LogType } from "@callastar/audit-log";
import { createWorkerConnection, queuePrefix, type QueueName } from "@callastar/queues";
import { installShutdown, processLogFromEnv, redisTargetOf, type ProcessLog } from "@callastar/runtime";
import type { SchedulerEnv } from "./env";
import { declaredSchedulers, findBrokenSchedulers, syncSchedulers, upsertScheduler } from "./registry";

export interface SchedulerApp {
  /** Runs one verification pass now (also run every SCHEDULER_CHECK_INTERVAL_MS); returns how many it repaired. */
  check(): Promise<number>;
  shutdown(reason: string): Promise<void>;
}

/** Registers every job scheduler, then keeps them healthy until SIGTERM. Processes no job. */
export async function startScheduler(
  env: SchedulerEnv,
  overrides: { exit?: (code: number) => void; log?: ProcessLog } = {},
): Promise<SchedulerApp> {
  const log = overrides.log ?? processLogFromEnv("scheduler", env);
  const redis = createWorkerConnection(redisTargetOf(env), { connectionName: "scheduler", log });
  const db = createDb(env.DATABASE_URL, { applicationName: "scheduler", max: 2 });
  const logger = createAuditLogger({ db, log, ...(env.LOG_SPOOL_DIR ? { spoolDir: env.LOG_SPOOL_DIR } : {}) });
  const queues = new Map<QueueName, Queue>();
  const queue = (name: QueueName) => {
    let q = queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: redis, prefix: queuePrefix(env.QUEUE_PREFIX, name, redis) });
      q.on("error", (error) => log.error({ queue: name, err: error }, `queue ${name} error: ${error.message}`));
      queues.set(name, q);
    }
    return q;
  };
  const declared = declaredSchedulers(env as unknown as Record<string, string>, env.CRON_TZ);
  const { upserted, kept, removed } = await syncSchedulers(queue, declared);

  const check = async () => {
    const problems = await findBrokenSchedulers(queue, declared, Date.now(), (id, lateMs) =>
      log.warn({ schedulerId: id, lateMs }, `${id}: its run is waiting for a worker, ${Math.round(lateMs / 1000)} s late (kept; a worker will take it)`),
    );
    for (const p of problems) {
      const s = declared.find((d) => d.id === p.id)!;
      await upsertScheduler(queue(s.queue), s);
      log.warn({ schedulerId: p.id, problem: p.problem }, `repaired scheduler ${p.id} (${p.problem})`);
      await logger.logError(LogType.SYSTEM_ERROR, `Job scheduler ${p.id} was broken (${p.problem}) and has been re-registered`, null, {
        schedulerId: p.id,
        problem: p.problem,
        pattern: s.pattern,
        tz: s.tz,
      });
    }
    return problems.length;
  };
  let checking: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    checking = check().catch((error: unknown) => log.error({ err: error }, `scheduler check failed: ${String(error)}`));
  }, env.SCHEDULER_CHECK_INTERVAL_MS);

  const shutdown = installShutdown(
    [
      { name: "checks", run: async () => (clearInterval(timer), checking) },
      { name: "queues", run: () => Promise.all([...queues.values()].map((q) => q.close())) },
      { name: "audit logger", run: () => logger.close() },
      { name: "redis", run: () => redis.quit() },
      { name: "postgres", run: () => db.close() },
    ],
    { timeoutMs: env.SHUTDOWN_TIMEOUT_MS, log, ...(overrides.exit ? { exit: overrides.exit } : {}) },
  );
  // Logged once SIGTERM is handled: these lines tell supervisors and tests the scheduler is up.
  for (const s of upserted) log.info({ schedulerId: s.id, queue: s.queue, pattern: s.pattern, tz: s.tz, nextRun: s.nextRun }, `registered ${s.id} on ${s.queue}: "${s.pattern}" ${s.tz}, next run ${s.nextRun ?? "?"}`);
  for (const s of kept) log.info({ schedulerId: s.id, queue: s.queue }, `kept ${s.id} on ${s.queue} as it is: its due run is waiting for a worker`);
  for (const r of removed) log.info({ schedulerId: r }, `removed undeclared scheduler ${r}`);
  return { check, shutdown };
}
