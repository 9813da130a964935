/** Faults a test (or the demo) can switch on; counters decrement as requests consume them. */
export interface DailyFaults {
  /** Probability (0..1) that a request answers 500, drawn from a seeded PRNG so runs repeat. */
  failRate: number;
  /** The next n requests answer 500 server-error. */
  failNext: number;
  /** The next n requests answer 429 with `Retry-After: retryAfterSeconds`. */
  rateLimitNext: number;
  retryAfterSeconds: number;
  /** Delay before every answer, to exercise client timeouts. */
  slowMs: number;
  /** The next n requests get their socket destroyed without an answer. */
  dropNext: number;
  /** The next n requests answer 200 with an HTML body, as a misbehaving proxy would. */
  malformedNext: number;
  /** Seed of the PRNG behind failRate; setting it restarts the sequence. */
  seed: number;
}

/** The faults of a fresh stand-in: none. */
export const NO_DAILY_FAULTS: DailyFaults = {
  failRate: 0,
  failNext: 0,
  rateLimitNext: 0,
  retryAfterSeconds: 1,
  slowMs: 0,
  dropNext: 0,
  malformedNext: 0,
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

/** Keeps only the known numeric fields of an untrusted patch (the HTTP control API sends JSON). */
export function sanitizeFaultPatch<T extends object>(defaults: T, patch: unknown): Partial<T> {
  const out: Partial<T> = {};
  if (typeof patch !== "object" || patch === null) return out;
  for (const key of Object.keys(defaults) as Array<keyof T>) {
    const value = (patch as Record<string, unknown>)[key as string];
    if (typeof value === "number" && Number.isFinite(value) && value >= 0) out[key] = value as T[keyof T];
  }
  return out;
}
