import type { Job } from "bullmq";
import { PermanentError } from "@callastar/errors";
import type { PayoutTransfer } from "@callastar/integrations/stripe";
import { auditRows } from "@callastar/audit-log";
import type { PayPayoutPayload } from "@callastar/queues";
import { attemptFailureLogId, finalFailureLogId } from "@callastar/runtime";
import { claimPayout, loadPayout, unpaidReason, type LoadedPayout } from "../payout-query";
import { ensureFactRow, markPaidWithRow } from "../payout-statements";
import { jobContext } from "./job-context";
import { failAttempt } from "./pay-failure";
import { noteUnpaid } from "./unpayable";
import type { AttemptInfo, PayoutFacts, PayPayoutDeps, PayPayoutOutcome, Stage } from "./pay-types";

export type { PayPayoutDeps, PayPayoutOutcome } from "./pay-types";

type JobInfo = Pick<Job, "id" | "name" | "attemptsMade" | "opts" | "queueName" | "timestamp">;

/**
 * Pays one payout, once ever. PAID → nothing to do (its PAYOUT_SUCCESS row written if missing);
 * FAILED → left alone (likewise its row); REQUESTED → claimed (PROCESSING) then transferred;
 * PROCESSING (a retry, or a crash after Stripe answered) → first looks for the transfer an earlier
 * attempt made (beyond Stripe's 24 h idempotency window too), else transfers with the same
 * idempotency key. Then PAID with its row in one statement. Every failed attempt writes one
 * PAYOUT_ERROR row (see failAttempt) and throws it marked audited.
 */
export async function processPayPayout(deps: PayPayoutDeps, data: PayPayoutPayload, job: JobInfo): Promise<PayPayoutOutcome> {
  const info: AttemptInfo = { ...jobContext(job), trigger: data.trigger };
  const rowIds = { attempt: attemptFailureLogId(job, info.attempt), final: finalFailureLogId(job, info.attempt) };
  let p: LoadedPayout | null = null;
  try {
    for (let tries = 0; ; tries++) {
      p = await loadPayout(deps.db, data.payoutId);
      if (!p) throw new PermanentError(`Payout ${data.payoutId} does not exist`, { code: "payout_not_found" });
      const facts: PayoutFacts = { payoutId: p.id, creatorId: p.creatorId, amount: p.amount, currency: p.currency };
      if (p.status === "PAID") {
        await ensureFactRow(deps.db.sql, p.id, "PAID", paidRow(p, p.stripeTransferId, { ...info, auditRecovered: true }));
        return { ...facts, status: "already_paid", stripeTransferId: p.stripeTransferId };
      }
      if (p.status === "FAILED") {
        await ensureFactRow(deps.db.sql, p.id, "FAILED", failedRow(p, { ...info, auditRecovered: true }));
        return { ...facts, status: "skipped", reason: "failed" };
      }
      if (p.status === "REQUESTED" && unpaidReason(p)) return skipUnpaid(deps, p, facts, info);
      // Another attempt moved the payout between our read and our claim: read it again.
      if (await claimPayout(deps.db, p.id, p.status)) return await pay(deps, p, facts, info);
      if (tries >= 3) throw new Error(`Payout ${p.id} keeps changing state under this job`);
    }
  } catch (error) {
    const payoutId = data.payoutId;
    if (error instanceof StageFailure) return failAttempt(deps, { payoutId, payout: error.payout, stage: error.stage, error: error.error, info, rowIds });
    return failAttempt(deps, { payoutId, payout: p, stage: "load", error, info, rowIds });
  }
}

// Carries the stage a payment failed at out of pay(): only a refused transfer is the payout's fault.
class StageFailure extends Error {
  constructor(
    readonly payout: LoadedPayout,
    readonly stage: Stage,
    readonly error: unknown,
  ) {
    super(`payout ${payout.id} failed at ${stage}`);
  }
}

async function pay(deps: PayPayoutDeps, p: LoadedPayout, facts: PayoutFacts, info: AttemptInfo): Promise<PayPayoutOutcome> {
  let stage: Stage = "lookup";
  try {
    // Only a payout that was already PROCESSING can have a transfer: REQUESTED never reached Stripe.
    let transfer: PayoutTransfer | null = p.status === "PROCESSING" ? await deps.stripe.findTransferForPayout(p.id) : null;
    const recovered = transfer !== null;
    let replayed = false;
    if (!transfer) {
      if (!p.stripeAccountId || unpaidReason(p)) return await skipUnpaid(deps, p, facts, info);
      stage = "transfer";
      const created = await deps.stripe.createTransfer({
        payoutId: p.id,
        amount: p.amount,
        currency: p.currency,
        destination: p.stripeAccountId,
        description: `Call a Star payout ${p.id}`,
        metadata: { creatorId: p.creatorId },
        keyGeneration: p.balanceRetries,
      });
      transfer = created;
      replayed = created.replayed;
    }
    stage = "record";
    const row = paidRow(p, transfer.id, { ...info, destination: transfer.destination, replayed, recovered });
    const result = await markPaidWithRow(deps.db.sql, p.id, transfer.id, row);
    if (!result.changed) {
      // Already PAID by this transfer (another attempt got there first): the statement wrote its row if missing.
      const now = await loadPayout(deps.db, p.id);
      if (now?.status !== "PAID" || now.stripeTransferId !== transfer.id) {
        throw new Error(`Payout ${p.id} was paid by transfer ${transfer.id} but is now ${now?.status ?? "gone"}`);
      }
      return { ...facts, status: "already_paid", stripeTransferId: transfer.id };
    }
    return { ...facts, status: "paid", stripeTransferId: transfer.id, replayed, recovered };
  } catch (error) {
    throw new StageFailure(p, stage, error);
  }
}

function paidRow(p: LoadedPayout, stripeTransferId: string | null, context: Record<string, unknown>) {
  return auditRows.logPayoutSuccess(p.id, p.creatorId, p.amount, p.currency, {
    isAutomatic: p.isAutomatic,
    stripeTransferId,
    ...context,
  });
}

/** The final row of a payout found FAILED without one (data from before rows committed with facts). */
function failedRow(p: LoadedPayout, context: Record<string, unknown>) {
  const reason = p.failureReason ?? "marked FAILED";
  return auditRows.logPayoutError(p.id, p.creatorId, new PermanentError(reason), {
    amount: p.amount,
    currency: p.currency,
    isAutomatic: p.isAutomatic,
    ...context,
    final: true,
    payoutStatus: "FAILED",
    failureReason: reason,
  });
}

async function skipUnpaid(deps: PayPayoutDeps, p: LoadedPayout, facts: PayoutFacts, info: AttemptInfo): Promise<PayPayoutOutcome> {
  const reason = unpaidReason(p) ?? "no_account";
  await noteUnpaid(deps.db.sql, p, reason, { ...info });
  return { ...facts, status: "skipped", reason };
}
