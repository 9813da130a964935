// A payout left REQUESTED or PROCESSING whose pay-payout job is no longer in flight (failed for good,
// removed, lost with Redis data, or never enqueued) would otherwise wait for the hourly sweep. Every
// payout worker checks on a short interval, one copy per interval (a Redis lock), and re-enqueues
// such payouts; the job's transfer lookup and idempotency key keep them paid once.
import { randomUUID } from "node:crypto";
import { JOBS, jobIds, queueKey } from "@callastar/queues";
import type { ProcessLog, WorkerContext } from "@callastar/runtime";
import { findRecoverablePayouts } from "./payout-query";

const IN_FLIGHT = new Set(["waiting", "delayed", "active", "prioritized", "waiting-children"]);

/** How the recovery runs; the worker's env sets it. */
export interface PayoutRecoveryOptions {
  intervalMs: number;
  /** A payout requested or claimed less than this ago is left to the sweep or job acting on it. */
  graceMs: number;
  /** Payouts looked at per pass (the oldest first). */
  batchSize?: number;
  log: ProcessLog;
}

/** One pass: the ids of the payouts handed to a new job. */
async function recoverPayouts(ctx: Pick<WorkerContext, "db" | "queue">, options: { graceMs: number; batchSize?: number }): Promise<string[]> {
  const { graceMs } = options;
  const limit = options.batchSize ?? 500;
  const candidates = await findRecoverablePayouts(ctx.db, { graceMs, limit });
  if (candidates.length === 0) return [];
  const queue = ctx.queue("payouts");
  const states = await Promise.all(candidates.map((c) => queue.getJobState(jobIds.payout(c.id))));
  const idle = candidates.filter((_c, i) => !IN_FLIGHT.has(states[i]!));
  if (idle.length === 0) return [];
  // Read again: a job that finished between the two reads may have paid its payout or put it off.
  const due = await findRecoverablePayouts(ctx.db, { graceMs, limit, among: idle.map((c) => c.id) });
  const enqueued: string[] = [];
  for (const p of due) {
    const jobId = jobIds.payout(p.id);
    // A finished job with this id would make the add a no-op (0 when it was picked up meanwhile: then it is in flight).
    const state = await queue.getJobState(jobId);
    if (IN_FLIGHT.has(state)) continue;
    if ((state === "completed" || state === "failed") && (await queue.remove(jobId)) === 0) continue;
    await queue.add("pay-payout", { payoutId: p.id, trigger: "recovery" }, { ...JOBS["pay-payout"].options, jobId });
    enqueued.push(p.id);
  }
  return enqueued;
}

/** Runs recoverPayouts every `intervalMs` (the first pass one interval after start) until stopped. */
export function startPayoutRecovery(ctx: Pick<WorkerContext, "db" | "queue" | "redis" | "prefix">, options: PayoutRecoveryOptions): { stop(): void } {
  const lockKey = queueKey(ctx.prefix, "payouts", "payouts:lock:payout-recovery", ctx.redis);
  // Slightly shorter than the interval, so the copy that held it can take it again on its next tick.
  const lockMs = Math.max(1, Math.floor(options.intervalMs * 0.9));
  let stopped = false;
  let running = false;
  const pass = async () => {
    if (!(await ctx.redis.set(lockKey, randomUUID(), "PX", lockMs, "NX"))) return;
    const ids = await recoverPayouts(ctx, options);
    if (ids.length > 0) options.log.info({ payoutIds: ids.slice(0, 20) }, `payout recovery: re-enqueued ${ids.length} payout(s) whose job was no longer in flight: ${ids.slice(0, 20).join(", ")}`);
  };
  const timer = setInterval(() => {
    if (stopped || running) return;
    running = true;
    pass()
      .catch((error: unknown) => {
        if (!stopped) options.log.warn({ err: error }, `payout recovery failed (next pass in ${options.intervalMs} ms): ${error instanceof Error ? error.message : String(error)}`);
      })
      .finally(() => (running = false));
  }, options.intervalMs);
  timer.unref();
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
