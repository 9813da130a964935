import type { Job } from "bullmq";
import { jobIds } from "@callastar/queues";
import { fanOut, type CronOutcome, type FanOutChild, type WorkerContext } from "@callastar/runtime";
import { findDuePayouts, unpaidReason } from "../payout-query";
import { jobContext } from "./job-context";
import { noteUnpaid } from "./unpayable";

/**
 * One process-payouts run: REQUESTED payouts, plus PROCESSING ones stale for `staleMs` (a crash
 * left them mid-way; their job re-checks Stripe before paying). Payouts of creators without a usable
 * Stripe account are skipped and counted (see unpayable.ts for their one error row); the rest become
 * `pay-payout` children of a summary job.
 */
export async function sweepPayouts(
  ctx: WorkerContext,
  run: Job,
  options: { staleMs: number; now?: () => number },
  progress: Record<string, unknown>,
): Promise<CronOutcome> {
  const now = (options.now ?? Date.now)();
  const rows = await findDuePayouts(ctx.db, new Date(now - options.staleMs));
  progress.totalPayouts = rows.length;
  const children: FanOutChild<"pay-payout">[] = [];
  const skippedPayouts: Array<{ payoutId: string; creatorId: string; reason: string }> = [];
  for (const p of rows) {
    // A PROCESSING payout may have a transfer already: always let its job look, whatever the account.
    const reason = p.status === "REQUESTED" ? unpaidReason(p) : null;
    if (reason) {
      skippedPayouts.push({ payoutId: p.id, creatorId: p.creatorId, reason });
      await noteUnpaid(ctx.db.sql, p, reason, { cronType: "process-payouts", ...jobContext(run) });
      continue;
    }
    children.push({ name: "pay-payout", jobId: jobIds.payout(p.id), data: { payoutId: p.id, trigger: "process-payouts" } });
  }
  progress.skipped = skippedPayouts.length;
  const immediate = {
    totalPayouts: rows.length,
    succeeded: 0,
    failed: 0,
    skipped: skippedPayouts.length,
    errors: [],
    totalAmount: 0,
    skippedPayouts: skippedPayouts.slice(0, 100),
  };
  if (children.length === 0) return { itemsProcessed: skippedPayouts.length, context: { ...immediate, alreadyScheduled: 0 } };
  const result = await fanOut(ctx, run, {
    queue: "payouts",
    cronType: "process-payouts",
    summaryJob: "payouts-summary",
    children,
    counts: { totalPayouts: rows.length, skipped: skippedPayouts.length },
    context: { skippedPayouts: skippedPayouts.slice(0, 100) },
  });
  progress.payoutsEnqueued = result.enqueued;
  progress.alreadyScheduled = result.alreadyScheduled;
  if (result.deferred) return { itemsProcessed: 0, context: {}, deferred: true };
  return { itemsProcessed: skippedPayouts.length, context: { ...immediate, alreadyScheduled: result.alreadyScheduled } };
}
