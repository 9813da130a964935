import { z } from "zod";
import { envFields, loadEnv, workerEnvShape } from "@callastar/runtime";

const schema = z
  .object({
    ...workerEnvShape,
    STRIPE_SECRET_KEY: z.string({ error: "is required (the Stripe secret key, sk_…)" }).min(1, "is required (the Stripe secret key, sk_…)"),
    /** Stripe API base override (the local stand-in in tests and the demo); default api.stripe.com. */
    STRIPE_API_BASE: envFields.originUrl("http://127.0.0.1:12111", "the Stripe SDK adds /v1 itself").optional(),
    /** Retries the Stripe SDK makes itself, always with the payout's idempotency key. */
    STRIPE_MAX_NETWORK_RETRIES: envFields.nonNegativeInt(2),
    STRIPE_TIMEOUT_MS: envFields.positiveInt(30_000),
    PAYOUTS_CONCURRENCY: envFields.positiveInt(5),
    /** The hourly process-payouts sweep also re-enqueues a payout PROCESSING for longer than this (a backstop to the recovery). */
    PAYOUT_STALE_PROCESSING_MINUTES: envFields.positiveInt(10),
    /** How often a payout worker looks for payable payouts whose job is no longer in flight (one copy per interval). */
    PAYOUT_RECOVERY_INTERVAL_MS: envFields.positiveInt(60_000),
    /** The recovery leaves a payout requested or claimed less than this ago to the sweep or job acting on it. */
    PAYOUT_RECOVERY_GRACE_MS: envFields.positiveInt(60_000),
    /** A payout whose job failed for good on errors (Stripe down, key refused) gets a new job after this. */
    PAYOUT_RETRY_AFTER_FAILURE_MS: envFields.positiveInt(3_600_000),
    /** Delay after a first Stripe balance_insufficient; doubles with each one, up to the max. */
    PAYOUT_BALANCE_RETRY_DELAY_MS: envFields.positiveInt(300_000),
    PAYOUT_BALANCE_RETRY_MAX_DELAY_MS: envFields.positiveInt(3_600_000),
    /** balance_insufficient refusals put off before the payout is FAILED (72 ≈ 69 h at the default delays). */
    PAYOUT_BALANCE_RETRY_LIMIT: envFields.nonNegativeInt(72),
  })
  .refine((env) => env.PAYOUT_BALANCE_RETRY_MAX_DELAY_MS >= env.PAYOUT_BALANCE_RETRY_DELAY_MS, {
    path: ["PAYOUT_BALANCE_RETRY_MAX_DELAY_MS"],
    message: "must be >= PAYOUT_BALANCE_RETRY_DELAY_MS",
  });

/** The payout worker's parsed configuration. */
export type PayoutWorkerEnv = z.output<typeof schema>;

/** The payout worker's configuration, validated once at start-up. */
export const loadPayoutWorkerEnv = (source: Record<string, string | undefined> = process.env): PayoutWorkerEnv =>
  loadEnv(schema, source);
