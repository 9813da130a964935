import { sanitizeFaultPatch as sanitize } from "../shared/faults";
export { seededRandom } from "../shared/faults";
/** Faults a test (or the demo) can switch on; counters decrement as requests consume them. */
export interface StripeFaults {
  /** Probability (0..1) that an API request answers 500 api_error, from a seeded PRNG. */
  failRate: number;
  /** The next n API requests answer 500 api_error. */
  failNext: number;
  /** The next n API requests answer 429 rate_limit. */
  rateLimitNext: number;
  /** Delay before every API answer, to exercise client timeouts. */
  slowMs: number;
  /** The next n API requests get their socket destroyed before anything happens. */
  dropNext: number;
  /**
   * The next n transfer creations commit (money moves, the idempotent result is stored) and then
   * the socket is destroyed: the caller sees a connection error although the transfer exists.
   */
  dropAfterCommitNext: number;
  /** Probability (0..1) that an API request answers 429 rate_limit (with `Retry-After: 1`). */
  rateLimitRate: number;
  /** Probability (0..1) that an API request's socket is destroyed before anything happens. */
  dropRate: number;
  /** Probability (0..1) that a transfer creation commits, then its socket is destroyed ("transfer made, answer lost"). */
  dropAfterCommitRate: number;
  /** The next n transfer creations answer 402 card_error. */
  cardErrorNext: number;
  /**
   * The next n transfer creations answer 400 balance_insufficient, whatever the balance (a platform
   * shortfall that clears by itself). Stored under the idempotency key, as Stripe stores it.
   */
  balanceInsufficientNext: number;
  /** Seed of the PRNG behind failRate; setting it restarts the sequence. */
  seed: number;
}

/** The faults of a fresh stand-in: none. */
export const NO_STRIPE_FAULTS: StripeFaults = {
  failRate: 0,
  failNext: 0,
  rateLimitNext: 0,
  slowMs: 0,
  dropNext: 0,
  dropAfterCommitNext: 0,
  rateLimitRate: 0,
  dropRate: 0,
  dropAfterCommitRate: 0,
  cardErrorNext: 0,
  balanceInsufficientNext: 0,
  seed: 1,
};

/** Keeps only the known non-negative numeric fields of an untrusted patch from the control API. */
export const sanitizeFaultPatch = (patch: unknown): Partial<StripeFaults> => sanitize(NO_STRIPE_FAULTS, patch);
