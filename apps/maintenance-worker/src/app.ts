import { bindQueue, runCron, startWorkerApp, workerOptionsFromEnv, type WorkerApp } from "@callastar/runtime";
import type { MaintenanceEnv } from "./env";
import { runVerifyAudit, type VerifyAuditSettings } from "./verify-audit";
import { pruneJobOutbox } from "./prune-outbox";

const verifyAuditSettings = (env: MaintenanceEnv): VerifyAuditSettings => ({
  lookbackMinutes: env.VERIFY_AUDIT_LOOKBACK_MINUTES,
  repair: env.VERIFY_AUDIT_REPAIR,
  bounds: {
    reminderLeadMinutes: env.REMINDER_LEAD_MINUTES,
    reminderGraceMinutes: env.VERIFY_AUDIT_REMINDER_GRACE_MINUTES,
    pendingMaxMinutes: env.VERIFY_AUDIT_PENDING_MAX_MINUTES,
    outboxMaxMinutes: env.VERIFY_AUDIT_OUTBOX_MAX_MINUTES,
  },
});

/** Starts the maintenance worker: queue `maintenance` (cleanup-logs, verify-audit, prune-job-outbox). */
export function startMaintenanceWorker(env: MaintenanceEnv, overrides: { exit?: (code: number) => void } = {}): Promise<WorkerApp> {
  return startWorkerApp({
    name: "maintenance-worker",
    ...workerOptionsFromEnv(env),
    databaseTimeouts: { statementMs: env.MAINTENANCE_STATEMENT_TIMEOUT_MS },
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
          "verify-audit": (_data, job) =>
            runCron(ctx, "verify-audit", job, (progress) =>
              runVerifyAudit(ctx.db.db, verifyAuditSettings(env), progress),
            ),
          "prune-job-outbox": (_data, job) =>
            runCron(ctx, "prune-job-outbox", job, async () => {
              const r = await pruneJobOutbox(ctx.db.sql, env.OUTBOX_RETENTION_HOURS);
              return { itemsProcessed: r.deleted, context: { retentionHours: env.OUTBOX_RETENTION_HOURS, deletedCount: r.deleted, batches: r.batches } };
            }),
        }),
      }),
    ],
  });
}
