import type { Job } from "bullmq";
import { inArray } from "drizzle-orm";
import { payout } from "@callastar/db";
import type { CronSummaryPayload } from "@callastar/queues";
import { summarizeRun, type WorkerContext } from "@callastar/runtime";
import type { PayPayoutOutcome } from "./pay-payout";

// A run over thousands of payouts must not write a megabyte Log row: list the first ones, count all.
const MAX_LISTED = 100;

interface Outcomes {
  values: PayPayoutOutcome[];
  failures: Array<{ jobKey: string; reason: string }>;
}

/** Writes the CRON_RUN of a process-payouts or process-automatic-payouts run once its payouts are done. */
export async function summarizePayouts(ctx: WorkerContext, job: Job, data: CronSummaryPayload) {
  const failedIds = Object.keys(await job.getIgnoredChildrenFailures()).map(payoutIdOf);
  const owners = failedIds.length
    ? await ctx.db.db.select({ id: payout.id, creatorId: payout.creatorId }).from(payout).where(inArray(payout.id, failedIds))
    : [];
  const creatorOf = new Map(owners.map((o) => [o.id, o.creatorId]));
  return summarizeRun<PayPayoutOutcome>(ctx, job, data, (o) =>
    data.cronType === "process-automatic-payouts" ? tallyAutomatic(o, data.counts, creatorOf) : tallyPayouts(o, data.counts, creatorOf),
  );
}

/** process-payouts: succeeded, failed, skipped, deferred (balance shortfall), errors[] and the amount paid. */
export function tallyPayouts(o: Outcomes, counts: Record<string, number>, creatorOf: Map<string, string>) {
  const t = common(o, creatorOf);
  const skipped = (counts.skipped ?? 0) + t.skipped;
  return {
    itemsProcessed: t.succeeded + t.failed + skipped + t.alreadyPaid + t.deferred,
    context: { succeeded: t.succeeded, failed: t.failed, skipped, alreadyPaid: t.alreadyPaid, deferred: t.deferred, errors: t.errors, ...t.amounts },
  };
}

/** process-automatic-payouts: totalCreators, skipped, failed, and the amount paid. */
export function tallyAutomatic(o: Outcomes, counts: Record<string, number>, creatorOf: Map<string, string>) {
  const t = common(o, creatorOf);
  return {
    itemsProcessed: t.succeeded,
    context: {
      totalCreators: counts.totalCreators ?? 0,
      succeeded: t.succeeded,
      skipped: (counts.skipped ?? 0) + t.skipped,
      failed: (counts.failed ?? 0) + t.failed,
      alreadyPaid: t.alreadyPaid,
      deferred: t.deferred,
      errors: t.errors,
      ...t.amounts,
    },
  };
}

function common(o: Outcomes, creatorOf: Map<string, string>) {
  const paid = o.values.filter((v) => v.status === "paid");
  const amountsByCurrency: Record<string, number> = {};
  for (const v of paid) amountsByCurrency[v.currency] = (amountsByCurrency[v.currency] ?? 0) + v.amount;
  const currencies = Object.keys(amountsByCurrency);
  return {
    succeeded: paid.length,
    alreadyPaid: o.values.filter((v) => v.status === "already_paid").length,
    skipped: o.values.filter((v) => v.status === "skipped").length,
    deferred: o.values.filter((v) => v.status === "deferred").length,
    failed: o.failures.length,
    errors: o.failures.slice(0, MAX_LISTED).map((f) => {
      const payoutId = payoutIdOf(f.jobKey);
      const creatorId = creatorOf.get(payoutId);
      return { payoutId, ...(creatorId ? { creatorId } : {}), error: f.reason };
    }),
    amounts: {
      // Minor units; a sum across currencies means nothing, so `currency` says "mixed" then.
      totalAmount: paid.reduce((sum, v) => sum + v.amount, 0),
      currency: currencies.length === 0 ? null : currencies.length === 1 ? currencies[0]! : "mixed",
      amountsByCurrency,
    },
  };
}

// A job key is `<prefix>:<queue>:<jobId>` and payout job ids are `payout-<id>`, without ":".
function payoutIdOf(jobKey: string): string {
  const jobId = jobKey.slice(jobKey.lastIndexOf(":") + 1);
  return jobId.startsWith("payout-") ? jobId.slice("payout-".length) : jobId;
}
