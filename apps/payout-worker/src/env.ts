import { z } from "zod";
import { envFields, loadEnv, workerEnvShape } from "@callastar/runtime/start";

/** The payout worker's variables, each with its form (docs/configuration.md's table is generated from it). */
export const envSchema = z
  .object({
    ...workerEnvShape,
    STRIPE_SECRET_KEY: envFields
      .apiKey("the Stripe secret key, sk_… or rk_…", 8, ["sk_", "rk_"])
      .describe("Stripe secret key (`sk_…`, or a restricted `rk_…`)"),
    STRIPE_API_BASE: envFields
      .originUrl("http://127.0.0.1:12111", "the Stripe SDK adds /v1 itself")
      .optional()
      .describe("Stripe API origin without a path, e.g. `http://127.0.0.1:12111` (the SDK adds `/v1`); for the stand-in in tests and the demo; unset: `https://api.stripe.com`"),
    STRIPE_MAX_NETWORK_RETRIES: envFields
      .nonNegativeInt(2)
      .describe("retries the Stripe SDK makes itself, always with the payout's idempotency key"),
    STRIPE_TIMEOUT_MS: envFields.positiveInt(30_000).describe("ms: timeout of one Stripe request"),
    PAYOUTS_CONCURRENCY: envFields.positiveInt(5).describe("payout jobs one copy runs at once"),
    PAYOUT_STALE_PROCESSING_MINUTES: envFields
      .positiveInt(10)
      .describe("minutes: the hourly `process-payouts` sweep also re-enqueues a payout `PROCESSING` longer than this (a backstop to the recovery)"),
    PAYOUT_RECOVERY_INTERVAL_MS: envFields
      .positiveInt(60_000)
      .describe("ms: how often one copy looks for payable payouts whose job is no longer in flight ([payouts.md](payouts.md))"),
    PAYOUT_RECOVERY_GRACE_MS: envFields
      .positiveInt(60_000)
      .describe("ms: the recovery leaves a payout requested or claimed less than this ago to the sweep or job acting on it"),
    PAYOUT_RETRY_AFTER_FAILURE_MS: envFields
      .positiveInt(3_600_000)
      .describe("ms: a payout whose job failed for good on errors (Stripe down, key refused) gets a new job after this"),
    PAYOUT_BALANCE_RETRY_DELAY_MS: envFields
      .positiveInt(300_000)
      .describe("ms: delay after a first Stripe `balance_insufficient`; doubles with each one, up to the max"),
    PAYOUT_BALANCE_RETRY_MAX_DELAY_MS: envFields
      .positiveInt(3_600_000)
      .describe("ms, ≥ `PAYOUT_BALANCE_RETRY_DELAY_MS`: the longest delay between `balance_insufficient` retries"),
    PAYOUT_BALANCE_RETRY_LIMIT: envFields
      .nonNegativeInt(72)
      .describe("`balance_insufficient` refusals put off before the payout is `FAILED` (72 ≈ 69 h at the default delays)"),
  })
  .refine((env) => env.PAYOUT_BALANCE_RETRY_MAX_DELAY_MS >= env.PAYOUT_BALANCE_RETRY_DELAY_MS, {
    path: ["PAYOUT_BALANCE_RETRY_MAX_DELAY_MS"],
    message: "must be >= PAYOUT_BALANCE_RETRY_DELAY_MS",
  });

/** The payout worker's parsed configuration. */
export type PayoutWorkerEnv = z.output<typeof envSchema>;

/** The payout worker's configuration, validated once at start-up. */
export const loadPayoutWorkerEnv = (source: Record<string, string | undefined> = process.env): PayoutWorkerEnv =>
  loadEnv(envSchema, source);
