/** Polls `check` until it returns a truthy value or `timeoutMs` passes; the error names `what`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T> | T,
  { timeoutMs = 20_000, intervalMs = 50 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${String(last)})`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Anything with BullMQ's job counts (a Queue). */
interface CountsJobs {
  name: string;
  getJobCounts(...types: string[]): Promise<Record<string, number>>;
}

/**
 * Waits until `queue` has nothing left to run — no waiting, delayed, prioritized, active or
 * waiting-children job: the known point after which "nothing more happened" can be asserted.
 */
export function waitForDrained(queue: CountsJobs, options?: { timeoutMs?: number }): Promise<true> {
  return waitFor(`queue ${queue.name} drained`, async () => {
    const counts = await queue.getJobCounts("waiting", "delayed", "prioritized", "active", "waiting-children");
    return Object.values(counts).every((n) => n === 0) || undefined;
  }, options);
}

/** Waits until job `jobId` of `queue` (a BullMQ Queue) has completed, and returns it. */
export function waitForCompleted<J extends { getState(): Promise<string> }>(
  queue: { name: string; getJob(id: string): Promise<J | undefined> },
  jobId: string,
  options?: { timeoutMs?: number },
): Promise<J> {
  return waitFor(`job ${jobId} of ${queue.name} completed`, async () => {
    const job = await queue.getJob(jobId);
    return job && (await job.getState()) === "completed" ? job : undefined;
  }, options);
}
