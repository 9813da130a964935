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
  /** The next n transfer creations answer 402 card_error. */
  cardErrorNext: number;
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
  cardErrorNext: 0,
  seed: 1,
};

/** mulberry32: tiny, seedable, good enough to decide which requests fail. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Keeps only the known non-negative numeric fields of an untrusted patch from the control API. */
export function sanitizeFaultPatch(patch: unknown): Partial<StripeFaults> {
  const out: Partial<StripeFaults> = {};
  if (typeof patch !== "object" || patch === null) return out;
  for (const key of Object.keys(NO_STRIPE_FAULTS) as Array<keyof StripeFaults>) {
    const value = (patch as Record<string, unknown>)[key];
    if (typeof value === "number" && Number.isFinite(value) && value >= 0) out[key] = value;
  }
  return out;
}
