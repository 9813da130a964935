// What one batch request went through, on this process' clock (epoch ms). The worker logs it once
// the outcome is recorded; `pnpm bench:peak` joins it with the provider's receipt times to show
// what filled the gap between two requests (a batch not ready, the pacer, statements, the answer).

/** The steps of one batch request, epoch ms on the sending process' clock. */
export interface RequestTimeline {
  batchId: string;
  emails: number;
  /** The batch claimed: its members chosen. */
  claimedAt: number;
  /** Loaded, stale members dropped, the body stored: ready to ask for a slot. */
  readyAt: number;
  /** When its last reminder falls due; it leaves no earlier (0: due at once). */
  dueAt: number;
  /** A slot asked for (the last time, after any 429). */
  askedAt: number;
  /** The pacer's answer: a place in the window held for this request. */
  grantedAt: number;
  /** When that place opens: the request leaves no earlier. */
  opensAt: number;
  /** Membership and body frozen (the last re-check of its members). */
  frozenAt: number;
  /** Handed to the transport. */
  sentAt: number;
  /** The provider's answer came back. */
  answeredAt: number;
  /** The outcome committed. */
  recordedAt: number;
  /** 429s drawn before it went through. */
  refusals: number;
}

/** An empty timeline of a batch claimed at `claimedAt`, filled in as its request goes. */
export function startTimeline(batchId: string, claimedAt: number): RequestTimeline {
  return { batchId, emails: 0, claimedAt, readyAt: 0, dueAt: 0, askedAt: 0, grantedAt: 0, opensAt: 0, frozenAt: 0, sentAt: 0, answeredAt: 0, recordedAt: 0, refusals: 0 };
}
