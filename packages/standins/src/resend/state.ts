import { FaultState } from "./faults";
import { IdempotencyStore } from "./idempotency";
import { SlidingWindowLimiter } from "./rate-limiter";
import type { ResendDelivery, ResendRequestRecord, ResendStandinOptions } from "./types";

/** Everything one stand-in remembers between requests. */
export class StandinState {
  readonly apiKey: string;
  /** Every key of the one team this stand-in serves. */
  readonly keys: ReadonlySet<string>;
  readonly now: () => number;
  readonly deliveries: ResendDelivery[] = [];
  readonly requestLog: ResendRequestRecord[] = [];
  readonly byId = new Map<string, ResendDelivery>();
  readonly idempotency: IdempotencyStore;
  readonly limiter: SlidingWindowLimiter;
  readonly faults: FaultState;
  requests = 0;
  /** Requests answered 429 (the rate limit or an injected fault). */
  rateLimited = 0;
  /** API requests received and not answered yet (an answer that is dropped counts as answered). */
  inFlight = 0;
  /** The idempotency key of every request answered from the replay cache, oldest first. */
  readonly replays: string[] = [];

  constructor(options: ResendStandinOptions) {
    this.apiKey = options.apiKey ?? "re_test_standin";
    this.keys = new Set([this.apiKey, ...(options.teamKeys ?? [])]);
    this.now = options.now ?? Date.now;
    this.idempotency = new IdempotencyStore(this.now);
    this.limiter = new SlidingWindowLimiter(options.rateLimitPerSecond ?? 2, this.now);
    this.faults = new FaultState(options.seed ?? 1);
    if (options.faults) this.faults.set(options.faults);
  }

  record(delivery: ResendDelivery): void {
    this.deliveries.push(delivery);
    this.byId.set(delivery.id, delivery);
  }

  reset(): void {
    // Emptied in place: `deliveries` is handed out as a live view.
    this.deliveries.length = 0;
    this.requestLog.length = 0;
    this.byId.clear();
    this.idempotency.clear();
    this.limiter.clear();
    this.faults.reset();
    this.requests = 0;
    this.rateLimited = 0;
    this.replays.length = 0;
  }
}
