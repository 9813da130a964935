import { bindQueue, runCron, startWorkerApp, workerOptionsFromEnv, type WorkerApp } from "@callastar/runtime";
import type { MaintenanceEnv } from "./env";

/** Starts the maintenance worker: queue `maintenance` (cleanup-logs). */
export function startMaintenanceWorker(env: MaintenanceEnv, overrides: { exit?: (code: number) => void } = {}): Promise<WorkerApp> {
  return startWorkerApp({
    name: "maintenance-worker",
    ...workerOptionsFromEnv(env),
    ...overrides,
    bindings: [
      bindQueue({
        queue: "maintenance",
        concurrency: 1,
        // A retention pass over millions of rows can take minutes: keep the lock generously.
        lockDuration: 120_000,
        handlers: (ctx) => ({
          "cleanup-logs": (_data, job) =>
            runCron(ctx, "cleanup-logs", job, async (progress) => {
              progress.retentionDays = env.LOG_RETENTION_DAYS;
              const r = await ctx.logger.cleanupOldLogsDetailed(env.LOG_RETENTION_DAYS, { batchSize: env.LOG_CLEANUP_BATCH_SIZE });
              return {
                itemsProcessed: r.deleted,
                context: {
                  retentionDays: env.LOG_RETENTION_DAYS,
                  deletedCount: r.deleted,
                  successDeleted: r.successDeleted,
                  errorDeleted: r.errorDeleted,
                  batches: r.batches,
                },
              };
            }),
        }),
      }),
    ],
  });
}
