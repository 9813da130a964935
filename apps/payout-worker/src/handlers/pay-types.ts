import type { DbHandle } from "@callastar/db";
import type { StripePayouts } from "@callastar/integrations/stripe";
import type { AuditLogger } from "@callastar/audit-log";
import type { PayoutRetryPolicy } from "../retry-policy";

/** What a payout payment needs: the database, the audit log, Stripe and when to try again. */
export interface PayPayoutDeps {
  db: DbHandle;
  logger: AuditLogger;
  stripe: Pick<StripePayouts, "createTransfer" | "findTransferForPayout">;
  retry: PayoutRetryPolicy;
}

/** The payout a job works on, as its outcome reports it. */
export interface PayoutFacts {
  payoutId: string;
  creatorId: string;
  amount: number;
  currency: string;
}

/** What one payout job reports to its cron run's summary. */
export type PayPayoutOutcome =
  | (PayoutFacts & { status: "paid"; stripeTransferId: string; replayed: boolean; recovered: boolean })
  | (PayoutFacts & { status: "already_paid"; stripeTransferId: string | null })
  | (PayoutFacts & { status: "skipped"; reason: "failed" | "no_account" | "onboarding_incomplete" })
  /** Stripe's balance fell short: still payable, tried again from `retryAt` under the next key generation. */
  | (PayoutFacts & { status: "deferred"; reason: "balance_insufficient"; retryAt: string; balanceRetries: number });

/** Where a payment attempt was: only a refused transfer (stage "transfer") is the payout's fault. */
export type Stage = "load" | "lookup" | "transfer" | "record";

/** The ids of the attempt's error row: another attempt follows (`attempt`), or none does (`final`). */
export interface AttemptRowIds {
  attempt: string;
  final: string;
}

/** The attempt as every row of it names it (convention: jobId, jobName, attempt, attempts; plus final). */
export interface AttemptInfo {
  jobId: string | undefined;
  jobName: string;
  /** 1-based. */
  attempt: number;
  attempts: number;
  trigger: string;
}
