/** A sliding one-second window: at most `perSecond` accepted calls in any 1000 ms. */
export class SlidingWindowLimiter {
  private accepted: number[] = [];
  constructor(private readonly perSecond: number) {}

  /** Admits the call (returns 0) or says how many ms until a slot frees up. */
  take(now = Date.now()): number {
    if (this.perSecond <= 0) return 0;
    this.accepted = this.accepted.filter((t) => now - t < 1000);
    if (this.accepted.length < this.perSecond) {
      this.accepted.push(now);
      return 0;
    }
    return 1000 - (now - (this.accepted[0] ?? now));
  }

  reset(): void {
    this.accepted = [];
  }
}
