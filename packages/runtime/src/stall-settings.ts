// How a worker crash is recovered. A running job holds a lock (renewed every lockDuration/2); a
// stall check, run by any live worker every stalledInterval, first marks active jobs, then moves
// back to wait each marked job whose lock has expired. After a SIGKILL the lock lapses within
// (lockDuration/2, lockDuration], and the first check after that moves the job: it runs again
// between lockDuration/2 and lockDuration + stalledInterval after the kill (plus the time for an
// idle worker to take it). A job taken again after more than maxStalledCount crashes (a poison job)
// fails for good with one error row.

/** Production defaults: BullMQ's lock (a blocked event loop up to 15 s is not mistaken for a crash),
 *  a check twice as often as BullMQ's, and a stall limit that ordinary crashes never reach. */
export const STALL_DEFAULTS = { lockDurationMs: 30_000, stalledIntervalMs: 15_000, maxStalledCount: 10 } as const;

export interface StallSettings {
  lockDurationMs: number;
  stalledIntervalMs: number;
  maxStalledCount: number;
}

/** The stall settings of a worker app, defaults filled in. */
export function stallSettings(options: Partial<StallSettings>): StallSettings {
  return {
    lockDurationMs: options.lockDurationMs ?? STALL_DEFAULTS.lockDurationMs,
    stalledIntervalMs: options.stalledIntervalMs ?? STALL_DEFAULTS.stalledIntervalMs,
    maxStalledCount: options.maxStalledCount ?? STALL_DEFAULTS.maxStalledCount,
  };
}

/** How long after a worker's SIGKILL its running jobs are back in the wait list (see above). */
export function recoveryWindowMs(s: Pick<StallSettings, "lockDurationMs" | "stalledIntervalMs">): { minMs: number; maxMs: number } {
  return { minMs: s.lockDurationMs / 2, maxMs: s.lockDurationMs + s.stalledIntervalMs };
}

/** One start-up line stating the recovery window and the poison bound. */
export function describeStallSettings(s: StallSettings): string {
  const { minMs, maxMs } = recoveryWindowMs(s);
  return `a crashed worker's jobs run again ${minMs / 1000}–${maxMs / 1000} s after the crash; a job fails after ${s.maxStalledCount} crashes`;
}
