import type { Job } from "bullmq";
import { jobIds } from "@callastar/queues";
import { fanOut, type CronOutcome, type FanOutChild, type WorkerContext } from "@callastar/runtime";
import { createAutomaticPayout, findAutomaticCreators } from "../balance";
import { unpaidReason } from "../payout-query";
import { jobContext } from "./job-context";

/**
 * One process-automatic-payouts run: for every creator on automatic payouts with a usable account,
 * creates one payout for their whole available balance when it reaches their minimum, then fans out
 * the payment of the payouts it created under a summary job. A creator without a usable account is
 * skipped and counted (`skippedCreators` names them and why), not an error: no payout exists yet.
 */
export async function sweepAutomaticPayouts(ctx: WorkerContext, run: Job, progress: Record<string, unknown>): Promise<CronOutcome> {
  const creators = await findAutomaticCreators(ctx.db);
  const children: FanOutChild<"pay-payout">[] = [];
  let payoutsCreated = 0;
  const skippedCreators: Array<{ creatorId: string; reason: string; balance?: number }> = [];
  let failed = 0;
  progress.totalCreators = creators.length;
  for (const c of creators) {
    const reason = unpaidReason(c);
    if (reason) {
      skippedCreators.push({ creatorId: c.id, reason });
      continue;
    }
    try {
      const decision = await createAutomaticPayout(ctx.db, c.id, { cronType: "process-automatic-payouts", runJobId: run.id });
      if (decision.kind === "created") {
        payoutsCreated++;
        children.push({
          name: "pay-payout",
          jobId: jobIds.payout(decision.payoutId),
          data: { payoutId: decision.payoutId, trigger: "process-automatic-payouts" },
        });
      } else {
        skippedCreators.push({ creatorId: c.id, reason: decision.kind, ...("balance" in decision ? { balance: decision.balance } : {}) });
      }
    } catch (error) {
      failed++;
      await ctx.logger.logPayoutError(null, c.id, error, {
        cronType: "process-automatic-payouts",
        operation: "create_automatic_payout",
        ...jobContext(run),
        // The run goes on with the other creators; this creator's next chance is the next run.
        final: true,
      });
    }
    progress.payoutsCreated = payoutsCreated;
    progress.failed = failed;
  }
  const counts = { totalCreators: creators.length, skipped: skippedCreators.length, failed, payoutsCreated };
  if (children.length === 0) {
    return {
      itemsProcessed: 0,
      context: { ...counts, succeeded: 0, totalAmount: 0, currency: null, amountsByCurrency: {}, skippedCreators: skippedCreators.slice(0, 100), alreadyScheduled: 0 },
    };
  }
  const result = await fanOut(ctx, run, {
    queue: "payouts",
    cronType: "process-automatic-payouts",
    summaryJob: "payouts-summary",
    children,
    counts,
    context: { skippedCreators: skippedCreators.slice(0, 100) },
  });
  if (result.deferred) return { itemsProcessed: 0, context: {}, deferred: true };
  // Unreachable in practice (the payouts were just created, so no job of theirs can be in flight).
  return { itemsProcessed: 0, context: { ...counts, succeeded: 0, totalAmount: 0, skippedCreators: skippedCreators.slice(0, 100), alreadyScheduled: result.alreadyScheduled } };
}
