export { seededRandom, sanitizeFaultPatch } from "../shared/faults";
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
  /** Probability (0..1) that a request answers 429 with `Retry-After: retryAfterSeconds`. */
  rateLimitRate: number;
  /** Probability (0..1) that a request's socket is destroyed before any work. */
  dropRate: number;
  /** The next n successful DELETEs remove the room, then destroy the socket ("room deleted, answer lost"). */
  dropAfterDeleteNext: number;
  /** Probability (0..1) that a successful DELETE removes the room, then destroys the socket. */
  dropAfterDeleteRate: number;
  /** The next n requests answer 200 with an HTML body, as a misbehaving proxy would. */
  malformedNext: number;
  /**
   * The next n DELETEs are carried out and their answer is held until the client gives up (or the
   * stand-in resets): a test can kill the caller in the window between Daily's work and its record.
   */
  holdDeleteNext: number;
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
  rateLimitRate: 0,
  dropRate: 0,
  dropAfterDeleteNext: 0,
  dropAfterDeleteRate: 0,
  malformedNext: 0,
  holdDeleteNext: 0,
  seed: 1,
};


