import type Stripe from "stripe";
import { parseStripeApiBase } from "./config";
import { toTaxonomyError } from "./errors";
import { parsePayoutId, parseTransferInput, type CreateTransferInput } from "./inputs";
import { parseTransfer, type PayoutTransfer } from "./transfer-schema";

/** Configuration of the payouts client; config comes from the app's env module. */
export interface StripePayoutsOptions {
  secretKey: string;
  /** e.g. `http://127.0.0.1:12111` for the stand-in; default: the real api.stripe.com. */
  apiBase?: string;
  /** Retries the SDK makes itself (connection errors, 409, 5xx), same idempotency key; default 2. */
  maxNetworkRetries?: number;
  /** Deadline of one attempt; default 30 s. */
  timeoutMs?: number;
}

/** A transfer just created, or replayed by Stripe because an earlier attempt already made it. */
export interface CreatedTransfer extends PayoutTransfer {
  /** True when Stripe answered from its idempotency cache: the money moved on an earlier attempt. */
  replayed: boolean;
}

/** Pays creators through Stripe transfers, at most once per payout. */
export interface StripePayouts {
  /**
   * Transfers `amount` to `destination` for one payout. Keyed `payoutIdempotencyKey(payoutId,
   * keyGeneration)` and grouped by `transfer_group = payoutId`, so retries, duplicate jobs and
   * crashes never pay twice. A balance shortfall throws StripeBalanceInsufficientError.
   */
  createTransfer(input: CreateTransferInput): Promise<CreatedTransfer>;
  /**
   * The transfer already made for a payout, or null. The recovery path once Stripe's 24 h
   * idempotency window has passed: look before paying again.
   */
  findTransferForPayout(payoutId: string): Promise<PayoutTransfer | null>;
}

/**
 * Key under which Stripe deduplicates a payout's transfer: `payout:<id>`, then `payout:<id>:<n>`
 * for generation n. A caller moves to the next generation only once Stripe definitively refused the
 * current key (balance_insufficient, which Stripe replays to that key for 24 h): no transfer exists
 * under it, so the new key cannot pay twice.
 */
export function payoutIdempotencyKey(payoutId: string, generation = 0): string {
  return generation === 0 ? `payout:${payoutId}` : `payout:${payoutId}:${generation}`;
}

/** Creates the payouts client over the real stripe SDK. */
export function createStripePayouts(options: StripePayoutsOptions): StripePayouts {
  const endpoint = options.apiBase === undefined ? {} : parseStripeApiBase(options.apiBase);
  // The SDK loads at the first call (dynamic import): a payout worker with nothing to pay never holds it.
  let loaded: Promise<{ stripe: Stripe; errors: typeof Stripe.errors }> | undefined;
  const sdk = () =>
    (loaded ??= import("stripe").then(({ default: StripeSdk }) => ({
      stripe: new StripeSdk(options.secretKey, {
        ...endpoint,
        maxNetworkRetries: options.maxNetworkRetries ?? 2,
        timeout: options.timeoutMs ?? 30_000,
        appInfo: { name: "callastar-jobs" },
      }),
      errors: StripeSdk.errors,
    })));

  return {
    async createTransfer(input) {
      const { payoutId, amount, currency, destination, description, metadata, keyGeneration } = parseTransferInput(input);
      const operation = `transfer for payout ${payoutId}`;
      const { stripe, errors } = await sdk();
      let transfer: Stripe.Response<Stripe.Transfer>;
      try {
        transfer = await stripe.transfers.create(
          {
            amount,
            currency,
            destination,
            transfer_group: payoutId,
            ...(description === undefined ? {} : { description }),
            metadata: { ...metadata, payoutId },
          },
          { idempotencyKey: payoutIdempotencyKey(payoutId, keyGeneration) },
        );
      } catch (error) {
        throw toTaxonomyError(operation, error, errors);
      }
      const replayed = transfer.lastResponse.headers["idempotent-replayed"] === "true";
      return { ...parseTransfer(operation, transfer), replayed };
    },

    async findTransferForPayout(rawPayoutId) {
      const payoutId = parsePayoutId(rawPayoutId);
      const operation = `transfer lookup for payout ${payoutId}`;
      const { stripe, errors } = await sdk();
      let page: Stripe.ApiList<Stripe.Transfer>;
      try {
        page = await stripe.transfers.list({ transfer_group: payoutId, limit: 100 });
      } catch (error) {
        throw toTaxonomyError(operation, error, errors);
      }
      // The group is ours by convention only; metadata.payoutId confirms the transfer is this payout's.
      const mine = page.data.map((t) => parseTransfer(operation, t)).filter((t) => t.metadata.payoutId === payoutId);
      // Stripe lists newest first; the oldest is the one that paid (there should be only one).
      return mine.at(-1) ?? null;
    },
  };
}
