// A creator who cannot be paid yet. Onboarding not finished is an ordinary state: the payout is
// skipped and counted in its run, with no error row. No Stripe account at all makes a requested
// payout unpayable: one PAYOUT_ERROR row when it becomes so (and one if the reason changes), kept
// on the payout ("unpayableReason"), never one per sweep.
import { PermanentError } from "@callastar/errors";
import { auditRows } from "@callastar/audit-log";
import type { Sql } from "@callastar/db";
import { markUnpayableWithRow } from "../payout-statements";
import type { unpaidReason } from "../payout-query";

type Reason = NonNullable<ReturnType<typeof unpaidReason>>;

interface UnpaidPayout {
  id: string;
  creatorId: string;
  amount: number;
  currency: string;
  isAutomatic?: boolean;
}

/** Notes why a REQUESTED payout is not paid now; true when this call wrote its PAYOUT_ERROR row. */
export async function noteUnpaid(sql: Sql, p: UnpaidPayout, reason: Reason, context: Record<string, unknown>): Promise<boolean> {
  const unpayable = reason === "no_account" ? reason : null;
  const error = new PermanentError(`Payout ${p.id} cannot be paid: creator ${p.creatorId} has no Stripe account`, { code: "no_account" });
  const row = auditRows.logPayoutError(p.id, p.creatorId, error, {
    amount: p.amount,
    currency: p.currency,
    isAutomatic: p.isAutomatic ?? false,
    ...context,
    payoutStatus: "REQUESTED",
    unpayable: true,
    reason: "no_account",
    // Not the payout's outcome: it is paid once its creator has an onboarded account.
    final: false,
  });
  const result = await markUnpayableWithRow(sql, p.id, unpayable, row);
  return result.logged;
}
