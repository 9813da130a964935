import { UnrecoverableError } from "bullmq";
import { markAudited } from "@callastar/errors";
import { isBalanceInsufficient } from "@callastar/integrations/stripe";
import { auditRows } from "@callastar/audit-log";
import { decideRetry, waitsOutDatabaseOutage } from "@callastar/queues";
import type { LoadedPayout } from "../payout-query";
import { deferForBalanceWithRow, markFailedWithRow, retryLaterWithRow } from "../payout-statements";
import { balanceRetryDelayMs } from "../retry-policy";
import type { AttemptInfo, AttemptRowIds, PayPayoutDeps, PayPayoutOutcome, Stage } from "./pay-types";

interface FailedAttempt {
  payoutId: string;
  /** Null when the payout could not be read (missing, or the database failed). */
  payout: LoadedPayout | null;
  stage: Stage;
  error: unknown;
  info: AttemptInfo;
  /** Deterministic ids of this attempt's row, so a crash and a rerun of the attempt write one row. */
  rowIds: AttemptRowIds;
}

/**
 * Ends a failed payment attempt with exactly one PAYOUT_ERROR row (context: jobId, jobName, attempt,
 * attempts, final), committed with whatever it changes about the payout:
 * - 429 → no row: the processor pauses the queue without spending an attempt; PostgreSQL
 *   unreachable → no row either: the processor puts the job back until it answers;
 * - a balance shortfall at the transfer → the payout stays PROCESSING under the next key generation,
 *   due again after a growing delay (row `final: false`) and the job completes "deferred"; past the
 *   policy's limit → FAILED;
 * - any other refusal of the transfer itself → FAILED with its final row;
 * - anything else → the payout stays payable, and after a final attempt no sweep or recovery picks it
 *   up again for `afterFailureMs`.
 * Errors are rethrown marked audited (permanent ones as UnrecoverableError), so the worker runtime
 * writes no second row.
 */
export async function failAttempt(deps: PayPayoutDeps, f: FailedAttempt): Promise<PayPayoutOutcome> {
  const { payout: p, stage, error, info } = f;
  const decision = decideRetry(error, info);
  // A 429, or PostgreSQL unreachable: the processor puts the job back without spending an attempt.
  if (decision.action === "wait" || waitsOutDatabaseOutage(error)) throw error;
  const base = { ...info, stage, errorType: error instanceof Error ? error.name : typeof error };
  if (p && stage === "transfer" && isBalanceInsufficient(error)) return deferForBalance(deps, p, error, base);

  const { permanent, final } = decision;
  // A refused lookup proves nothing, and our own key refused (401/403) is not the payout's fault.
  if (p && permanent && stage === "transfer" && !isAuthError(error)) {
    await failPayout(deps, p, error, base, messageOf(error));
    throw markAudited(unrecoverable(error));
  }
  if (p && final) {
    const row = auditRows.logPayoutError(p.id, p.creatorId, error, { ...payoutContext(p), ...base, final, retryInMs: deps.retry.afterFailureMs });
    await retryLaterWithRow(deps.db.sql, p.id, deps.retry.afterFailureMs, { ...row, id: f.rowIds.final });
  } else {
    const row = auditRows.logPayoutError(p?.id ?? f.payoutId, p?.creatorId ?? "unknown", error, { ...(p ? payoutContext(p) : {}), ...base, final });
    await deps.logger.writeRow({ ...row, id: final ? f.rowIds.final : f.rowIds.attempt });
  }
  throw markAudited(permanent ? unrecoverable(error) : error);
}

async function deferForBalance(deps: PayPayoutDeps, p: LoadedPayout, error: Error, base: Record<string, unknown>): Promise<PayPayoutOutcome> {
  const shortfall = p.balanceRetries + 1;
  const limit = deps.retry.balanceRetryLimit;
  if (shortfall > limit) {
    const reason = `Stripe balance still insufficient after ${p.balanceRetries} delayed retries: ${error.message}`;
    await failPayout(deps, p, error, base, reason, { balanceRetries: p.balanceRetries, balanceRetryLimit: limit });
    throw markAudited(unrecoverable(error));
  }
  const delayMs = balanceRetryDelayMs(shortfall, deps.retry);
  const retryAt = new Date(Date.now() + delayMs).toISOString();
  const row = auditRows.logPayoutError(p.id, p.creatorId, error, {
    ...payoutContext(p),
    ...base,
    final: false,
    deferred: true,
    reason: "balance_insufficient",
    balanceRetries: shortfall,
    balanceRetryLimit: limit,
    retryAt,
  });
  const result = await deferForBalanceWithRow(deps.db.sql, p.id, p.balanceRetries, delayMs, row);
  // Another attempt moved the payout meanwhile: this one's retry re-reads it.
  if (!result.changed) throw new Error(`Payout ${p.id} changed state while its balance retry was being scheduled`);
  return { payoutId: p.id, creatorId: p.creatorId, amount: p.amount, currency: p.currency, status: "deferred", reason: "balance_insufficient", retryAt, balanceRetries: shortfall };
}

async function failPayout(
  deps: PayPayoutDeps,
  p: LoadedPayout,
  error: unknown,
  base: Record<string, unknown>,
  failureReason: string,
  extra: Record<string, unknown> = {},
): Promise<void> {
  const row = auditRows.logPayoutError(p.id, p.creatorId, error, { ...payoutContext(p), ...base, ...extra, final: true, payoutStatus: "FAILED", failureReason });
  await markFailedWithRow(deps.db.sql, p.id, failureReason, row);
}

const payoutContext = (p: LoadedPayout) => ({ amount: p.amount, currency: p.currency, isAutomatic: p.isAutomatic });
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

// The audited mark must be on the error BullMQ sees: the processor would otherwise wrap a permanent
// error in a fresh UnrecoverableError without it.
function unrecoverable(error: unknown): UnrecoverableError {
  if (error instanceof UnrecoverableError) return error;
  const wrapped = new UnrecoverableError(messageOf(error));
  (wrapped as Error & { cause?: unknown }).cause = error;
  return wrapped;
}

function isAuthError(error: unknown): boolean {
  const status = (error as { status?: unknown } | null)?.status;
  return status === 401 || status === 403;
}
