import { createStripePayouts } from "@callastar/integrations/stripe";
import { bindQueue, runCron, startWorkerApp, workerOptionsFromEnv, type ProcessLog, type WorkerApp } from "@callastar/runtime";
import type { PayoutWorkerEnv } from "./env";
import { sweepAutomaticPayouts } from "./handlers/automatic-sweep";
import { processPayPayout } from "./handlers/pay-payout";
import { summarizePayouts } from "./handlers/payouts-summary";
import { sweepPayouts } from "./handlers/payouts-sweep";
import { startPayoutRecovery } from "./recovery";
import type { PayoutRetryPolicy } from "./retry-policy";

/**
 * Starts the payout worker: queue `payouts` (process-payouts, process-automatic-payouts, pay-payout,
 * payouts-summary), and the recovery of payable payouts whose job is no longer in flight.
 */
export async function startPayoutWorker(
  env: PayoutWorkerEnv,
  overrides: { exit?: (code: number) => void; log?: ProcessLog } = {},
): Promise<WorkerApp> {
  const stripe = createStripePayouts({
    secretKey: env.STRIPE_SECRET_KEY,
    maxNetworkRetries: env.STRIPE_MAX_NETWORK_RETRIES,
    timeoutMs: env.STRIPE_TIMEOUT_MS,
    ...(env.STRIPE_API_BASE ? { apiBase: env.STRIPE_API_BASE } : {}),
  });
  const staleMs = env.PAYOUT_STALE_PROCESSING_MINUTES * 60_000;
  const retry: PayoutRetryPolicy = {
    balanceDelayMs: env.PAYOUT_BALANCE_RETRY_DELAY_MS,
    balanceMaxDelayMs: env.PAYOUT_BALANCE_RETRY_MAX_DELAY_MS,
    balanceRetryLimit: env.PAYOUT_BALANCE_RETRY_LIMIT,
    afterFailureMs: env.PAYOUT_RETRY_AFTER_FAILURE_MS,
  };
  const app = await startWorkerApp({
    name: "payout-worker",
    ...workerOptionsFromEnv(env),
    ...overrides,
    bindings: [
      bindQueue({
        queue: "payouts",
        concurrency: env.PAYOUTS_CONCURRENCY,
        handlers: (ctx) => ({
          "process-payouts": (_data, job) =>
            runCron(ctx, "process-payouts", job, (progress) => sweepPayouts(ctx, job, { staleMs }, progress)),
          "process-automatic-payouts": (_data, job) =>
            runCron(ctx, "process-automatic-payouts", job, (progress) => sweepAutomaticPayouts(ctx, job, progress)),
          "pay-payout": (data, job) => processPayPayout({ db: ctx.db, logger: ctx.logger, stripe, retry }, data, job),
          "payouts-summary": (data, job) => summarizePayouts(ctx, job, data),
        }),
      }),
    ],
  });
  const recovery = startPayoutRecovery(app.ctx, {
    intervalMs: env.PAYOUT_RECOVERY_INTERVAL_MS,
    graceMs: env.PAYOUT_RECOVERY_GRACE_MS,
    log: app.ctx.log,
  });
  // Shutdown starts by closing the workers: stop recovering then, before Redis and PostgreSQL close.
  for (const worker of app.workers) worker.once("closing", () => recovery.stop());
  return app;
}
