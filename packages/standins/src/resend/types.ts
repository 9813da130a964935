import type { ValidEmail } from "./validate";
/** Switches that make the Resend stand-in misbehave the way the real service can. */
export interface ResendFaults {
  /** Probability (0..1) that an API request answers 500 internal_server_error; drawn from the seeded PRNG. */
  failRate?: number;
  /** The next n API requests answer 500 internal_server_error. */
  failNext?: number;
  /** The next n API requests answer 429 rate_limit_exceeded with `retry-after: retryAfterSeconds`. */
  rateLimitNext?: number;
  /** `retry-after` (seconds) sent with the 429s of `rateLimitNext`; default 1. */
  retryAfterSeconds?: number;
  /** Delay, in milliseconds, before every API answer. */
  slowMs?: number;
  /** The next n API requests get their socket destroyed without an answer (nothing recorded). */
  dropNext?: number;
  /** The next n accepted sends are recorded, then their socket is destroyed: sent, but the client never hears so. */
  dropAfterAcceptNext?: number;
  /** Probability (0..1) that an API request answers 429 with `retry-after: retryAfterSeconds` (seeded PRNG). */
  rateLimitRate?: number;
  /** Probability (0..1) that an API request's socket is destroyed before any work (nothing recorded). */
  dropRate?: number;
  /** Probability (0..1) that an accepted send is recorded, then its socket destroyed ("email accepted, answer lost"). */
  dropAfterAcceptRate?: number;
}

/** Options of {@link startResendStandin}. */
export interface ResendStandinOptions {
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** The API key accepted; default "re_test_standin". */
  apiKey?: string;
  /** More keys of the same team: Resend counts its rate limit per team, across all of a team's keys. */
  teamKeys?: string[];
  /** Requests per second allowed per team (sliding 1 s window); default 2 like Resend, 0 turns it off. */
  rateLimitPerSecond?: number;
  /** Seed of the PRNG behind `failRate`, so a faulty run can be replayed; default 1. */
  seed?: number;
  /** Faults active from the start. */
  faults?: ResendFaults;
  /** Clock in epoch ms; tests move it to expire idempotency keys. Default `Date.now`. */
  now?: () => number;
}

/** One email the stand-in accepted (what Resend would have sent). */
export interface ResendDelivery extends ValidEmail {
  id: string;
  /** The HTTP request headers (lower-cased, Authorization removed), including `idempotency-key` when sent. */
  headers: Record<string, string>;
  /** The `Idempotency-Key` the request carried, or null. */
  idempotencyKey: string | null;
  /** "/emails" or "/emails/batch". */
  endpoint: "/emails" | "/emails/batch";
  /** ISO timestamp of acceptance. */
  receivedAt: string;
}

/** One API request as the stand-in saw it (control routes excluded): when its window counted it and when it was answered. */
export interface ResendRequestRecord {
  endpoint: string;
  /** The `Idempotency-Key` it carried, or null. */
  idempotencyKey: string | null;
  /** Epoch ms its headers arrived. */
  startedAt: number;
  /** Epoch ms its body was read and the rate window counted (or refused) it: the moment Resend's limit applies to. */
  countedAt: number;
  /** Epoch ms its answer was written (or its socket dropped). */
  answeredAt: number;
  /** The answer's status; 0 when the socket was dropped instead. */
  status: number;
}

/** A running Resend stand-in. */
export interface ResendStandin {
  /** Base URL to give the SDK (`new Resend(key, { baseUrl })`), e.g. http://127.0.0.1:43123. */
  readonly url: string;
  readonly port: number;
  readonly apiKey: string;
  /** Every accepted email, oldest first (a live view). */
  readonly deliveries: ReadonlyArray<ResendDelivery>;
  /** API requests received (control routes excluded), whatever their outcome. */
  readonly requests: number;
  /** Every API request, in the order answered (a live view; a benchmark's breakdown of where time goes). */
  readonly requestLog: ReadonlyArray<ResendRequestRecord>;
  /** API requests answered 429 rate_limit_exceeded. */
  readonly rateLimited: number;
  /** API requests received and not answered yet: a client killed now leaves them to be accepted without it. */
  readonly inFlight: number;
  /** The Idempotency-Key of every send answered from the replay cache (sent before, not sent again), oldest first. */
  readonly replays: ReadonlyArray<string>;
  /** Merges faults into the active set; counters count down as they fire. */
  setFaults(faults: ResendFaults): void;
  /** The active faults, counters as they stand. */
  getFaults(): Readonly<ResendFaults>;
  /** Forgets deliveries, replays, idempotency keys, rate-limit history, faults, the request count and log. */
  reset(): void;
  /** Stops listening and drops open connections; safe to call twice. */
  close(): Promise<void>;
}
