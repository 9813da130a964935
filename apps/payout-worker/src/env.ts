import { z } from "zod";
import { envFields, loadEnv, workerEnvShape } from "@callastar/runtime";

const schema = z.object({
  ...workerEnvShape,
  STRIPE_SECRET_KEY: z.string({ error: "is required (the Stripe secret key, sk_…)" }).min(1, "is required (the Stripe secret key, sk_…)"),
  /** Stripe API base override (the local stand-in in tests and the demo); default api.stripe.com. */
  STRIPE_API_BASE: envFields.originUrl("http://127.0.0.1:12111", "the Stripe SDK adds /v1 itself").optional(),
  /** Retries the Stripe SDK makes itself, always with the payout's idempotency key. */
  STRIPE_MAX_NETWORK_RETRIES: envFields.nonNegativeInt(2),
  STRIPE_TIMEOUT_MS: envFields.positiveInt(30_000),
  PAYOUTS_CONCURRENCY: envFields.positiveInt(5),
  /** A payout PROCESSING for longer than this with no job in flight is picked up again (crash recovery). */
  PAYOUT_STALE_PROCESSING_MINUTES: envFields.positiveInt(10),
});

/** The payout worker's parsed configuration. */
export type PayoutWorkerEnv = z.output<typeof schema>;

/** The payout worker's configuration, validated once at start-up. */
export const loadPayoutWorkerEnv = (source: Record<string, string | undefined> = process.env): PayoutWorkerEnv =>
  loadEnv(schema, source);
