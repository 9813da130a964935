import { createStripePayouts } from "@callastar/integrations/stripe";
import { bindQueue, runCron, startWorkerApp, workerOptionsFromEnv, type WorkerApp } from "@callastar/runtime";
import type { PayoutWorkerEnv } from "./env";
import { sweepAutomaticPayouts } from "./handlers/automatic-sweep";
import { processPayPayout } from "./handlers/pay-payout";
import { summarizePayouts } from "./handlers/payouts-summary";
import { sweepPayouts } from "./handlers/payouts-sweep";

/** Starts the payout worker: queue `payouts` (process-payouts, process-automatic-payouts, pay-payout, payouts-summary). */
export function startPayoutWorker(
  env: PayoutWorkerEnv,
  overrides: { exit?: (code: number) => void; log?: (line: string) => void } = {},
): Promise<WorkerApp> {
  const stripe = createStripePayouts({
    secretKey: env.STRIPE_SECRET_KEY,
    maxNetworkRetries: env.STRIPE_MAX_NETWORK_RETRIES,
    timeoutMs: env.STRIPE_TIMEOUT_MS,
    ...(env.STRIPE_API_BASE ? { apiBase: env.STRIPE_API_BASE } : {}),
  });
  const staleMs = env.PAYOUT_STALE_PROCESSING_MINUTES * 60_000;
  return startWorkerApp({
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
          "pay-payout": (data, job) => processPayPayout({ db: ctx.db, logger: ctx.logger, stripe }, data, job),
          "payouts-summary": (data, job) => summarizePayouts(ctx, job, data),
        }),
      }),
    ],
  });
}
