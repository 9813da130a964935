import type { Job } from "bullmq";
import type { DbHandle } from "@callastar/db";
import { PermanentError, isPermanent } from "@callastar/errors";
import type { PayoutTransfer, StripePayouts } from "@callastar/integrations/stripe";
import type { AuditLogger } from "@callastar/logger";
import type { PayPayoutPayload } from "@callastar/queues";
import { claimPayout, hasUsableAccount, loadPayout, markFailed, markPaid, type LoadedPayout } from "../payout-query";

/** What a payout payment needs: the database, the audit log and Stripe. */
export interface PayPayoutDeps {
  db: DbHandle;
  logger: AuditLogger;
  stripe: Pick<StripePayouts, "createTransfer" | "findTransferForPayout">;
}

interface PayoutFacts {
  payoutId: string;
  creatorId: string;
  amount: number;
  currency: string;
}

/** What one payout job reports to its cron run's summary. */
export type PayPayoutOutcome =
  | (PayoutFacts & { status: "paid"; stripeTransferId: string; replayed: boolean; recovered: boolean })
  | (PayoutFacts & { status: "already_paid"; stripeTransferId: string | null })
  | (PayoutFacts & { status: "skipped"; reason: "failed" | "no_account" });

type JobInfo = Pick<Job, "id" | "attemptsMade" | "opts">;

/**
 * Pays one payout, once ever. PAID → nothing to do; FAILED → left alone; REQUESTED → claimed
 * (PROCESSING) then transferred; PROCESSING (a retry, or a crash after Stripe answered) → first
 * looks for the transfer an earlier attempt made (beyond Stripe's 24 h idempotency window too),
 * else transfers with the same idempotency key `payout:<id>`. Then PAID, conditionally. A permanent
 * Stripe refusal marks it FAILED; a transient one leaves it PROCESSING for the retry.
 */
export async function processPayPayout(deps: PayPayoutDeps, data: PayPayoutPayload, job: JobInfo): Promise<PayPayoutOutcome> {
  const attempt = job.attemptsMade + 1;
  for (let tries = 0; ; tries++) {
    const p = await loadPayout(deps.db, data.payoutId);
    if (!p) {
      const error = new PermanentError(`Payout ${data.payoutId} does not exist`, { code: "payout_not_found" });
      await deps.logger.logPayoutError(data.payoutId, "unknown", error, { trigger: data.trigger, jobId: job.id, attempt });
      throw error;
    }
    const facts: PayoutFacts = { payoutId: p.id, creatorId: p.creatorId, amount: p.amount, currency: p.currency };
    if (p.status === "PAID") return { ...facts, status: "already_paid", stripeTransferId: p.stripeTransferId };
    if (p.status === "FAILED") return { ...facts, status: "skipped", reason: "failed" };
    const context = { amount: p.amount, currency: p.currency, isAutomatic: p.isAutomatic, trigger: data.trigger, jobId: job.id, attempt };
    if (p.status === "REQUESTED" && !hasUsableAccount(p)) {
      await deps.logger.logPayoutError(p.id, p.creatorId, noAccount(p), { ...context, skipped: true, reason: "no_account" });
      return { ...facts, status: "skipped", reason: "no_account" };
    }
    // Another attempt moved the payout between our read and our claim: read it again.
    if (!(await claimPayout(deps.db, p.id, p.status))) {
      if (tries < 3) continue;
      throw new Error(`Payout ${p.id} keeps changing state under this job`);
    }
    return pay(deps, p, facts, context, job);
  }
}

async function pay(
  deps: PayPayoutDeps,
  p: LoadedPayout,
  facts: PayoutFacts,
  context: Record<string, unknown>,
  job: JobInfo,
): Promise<PayPayoutOutcome> {
  const attempt = job.attemptsMade + 1;
  let stage: "lookup" | "transfer" | "record" = "lookup";
  try {
    // Only a payout that was already PROCESSING can have a transfer: REQUESTED never reached Stripe.
    let transfer: PayoutTransfer | null = p.status === "PROCESSING" ? await deps.stripe.findTransferForPayout(p.id) : null;
    const recovered = transfer !== null;
    let replayed = false;
    if (!transfer) {
      if (!p.stripeAccountId || !hasUsableAccount(p)) {
        await deps.logger.logPayoutError(p.id, p.creatorId, noAccount(p), { ...context, skipped: true, reason: "no_account" });
        return { ...facts, status: "skipped", reason: "no_account" };
      }
      stage = "transfer";
      const created = await deps.stripe.createTransfer({
        payoutId: p.id,
        amount: p.amount,
        currency: p.currency,
        destination: p.stripeAccountId,
        description: `Call a Star payout ${p.id}`,
        metadata: { creatorId: p.creatorId },
      });
      transfer = created;
      replayed = created.replayed;
    }
    stage = "record";
    if (!(await markPaid(deps.db, p.id, transfer.id))) {
      const now = await loadPayout(deps.db, p.id);
      if (now?.status !== "PAID" || now.stripeTransferId !== transfer.id) {
        throw new Error(`Payout ${p.id} was paid by transfer ${transfer.id} but is now ${now?.status ?? "gone"}`);
      }
      return { ...facts, status: "already_paid", stripeTransferId: transfer.id };
    }
    await deps.logger.logPayoutSuccess(p.id, p.creatorId, p.amount, p.currency, {
      ...context,
      stripeTransferId: transfer.id,
      destination: transfer.destination,
      replayed,
      recovered,
    });
    return { ...facts, status: "paid", stripeTransferId: transfer.id, replayed, recovered };
  } catch (error) {
    const permanent = isPermanent(error);
    // Only Stripe refusing the transfer itself fails the payout. A refused lookup proves nothing, and
    // our own key refused (401/403) is not the payout's fault: it stays PROCESSING for a later sweep.
    const payoutAtFault = permanent && stage === "transfer" && !isAuthError(error);
    const failureReason = error instanceof Error ? error.message : String(error);
    if (payoutAtFault) await markFailed(deps.db, p.id, failureReason);
    await deps.logger.logPayoutError(p.id, p.creatorId, error, {
      ...context,
      stage,
      errorType: error instanceof Error ? error.name : typeof error,
      ...(payoutAtFault ? { failureReason, payoutStatus: "FAILED" } : {}),
      willRetry: !permanent && (error instanceof Error && error.name === "RateLimitedError" ? true : attempt < (job.opts.attempts ?? 1)),
    });
    throw error;
  }
}

function noAccount(p: LoadedPayout): PermanentError {
  const why = p.stripeAccountId ? "its Stripe account is not onboarded" : "it has no Stripe account";
  return new PermanentError(`Creator ${p.creatorId} cannot be paid: ${why}`, { code: "no_usable_account" });
}

function isAuthError(error: unknown): boolean {
  const status = (error as { status?: unknown } | null)?.status;
  return status === 401 || status === 403;
}
