import { idempotencyInFlight, idempotencyMismatch, type StripeFailure } from "./errors";

/** A stored answer, replayed verbatim to a retry with the same key and parameters. */
export interface StoredAnswer {
  status: number;
  body: unknown;
  /** Request-Id of the first answer; Stripe names it in `Original-Request` on replays. */
  requestId: string;
}

interface Entry {
  endpoint: string;
  params: string;
  answer?: StoredAnswer;
}

/** What to do with an incoming keyed request. */
export type IdempotencyDecision =
  | { kind: "execute"; settle(answer: StoredAnswer | undefined): void }
  | { kind: "replay"; answer: StoredAnswer }
  | { kind: "refuse"; failure: StripeFailure };

/**
 * Stripe's idempotency layer: keys are scoped to the account; a key first used with some
 * endpoint and parameters replays that request's answer, refuses other parameters, and answers
 * 409 while the first request is still running. Only answers of requests that began executing are
 * stored: validation failures, 429s and 500s before execution leave the key free for a retry.
 */
export class IdempotencyStore {
  private readonly entries = new Map<string, Entry>();

  begin(scope: string, key: string, endpoint: string, params: string): IdempotencyDecision {
    const id = `${scope}\u0000${key}`;
    const existing = this.entries.get(id);
    if (existing) {
      if (existing.endpoint !== endpoint) return { kind: "refuse", failure: idempotencyMismatch(key, "endpoint") };
      if (existing.params !== params) return { kind: "refuse", failure: idempotencyMismatch(key, "parameters") };
      if (!existing.answer) return { kind: "refuse", failure: idempotencyInFlight() };
      return { kind: "replay", answer: existing.answer };
    }
    const entry: Entry = { endpoint, params };
    this.entries.set(id, entry);
    return {
      kind: "execute",
      settle: (answer) => {
        if (answer) entry.answer = answer;
        else this.entries.delete(id);
      },
    };
  }

  clear(): void {
    this.entries.clear();
  }
}
