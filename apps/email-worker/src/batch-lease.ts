// A holder's view of its lease on a batch: renewed in the background while it works, and held
// only as long as the last renewal PostgreSQL confirmed says (measured from when that renewal was
// sent, so this side always gives up before PostgreSQL lets another copy take the batch over).
import type { BatchStore, Claim } from "./email-batches";

// Given up this long before the lease could lapse: timers and event-loop delays are not exact.
const SAFETY_MS = 1_000;

/** A lease being held; `held` turns false for good once lost or lapsed. */
export interface HeldLease extends Claim {
  /** True while the holder may still act on the batch (send, record). */
  readonly held: boolean;
  /** Stops renewing. */
  stop(): void;
}

/** Starts renewing `claim` every third of `leaseMs`; `claimedAt` is when the claim was sent. */
export function holdLease(store: Pick<BatchStore, "renew">, claim: Claim, leaseMs: number, claimedAt: number, onLost: (why: string) => void): HeldLease {
  let validUntil = claimedAt + leaseMs - SAFETY_MS;
  let lost = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let reported = false;
  const report = (why: string) => {
    if (!reported) onLost(why);
    reported = true;
  };
  const schedule = () => {
    if (!stopped && !lost) timer = setTimeout(() => void renew(), leaseMs / 3).unref();
  };
  const renew = async () => {
    const sentAt = Date.now();
    try {
      if (await store.renew(claim, leaseMs)) validUntil = sentAt + leaseMs - SAFETY_MS;
      else {
        lost = true;
        report("another copy holds it now, or it was finished");
      }
    } catch (error) {
      // Not renewed: still held until validUntil, and the next renewal may succeed.
      if (Date.now() >= validUntil) report(`not renewed in time (${error instanceof Error ? error.message : String(error)})`);
    }
    schedule();
  };
  schedule();
  return {
    ...claim,
    get held() {
      return !lost && Date.now() < validUntil;
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
