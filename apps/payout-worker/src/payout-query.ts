import { and, eq, inArray, isNull, lt, lte, ne, or, sql } from "drizzle-orm";
import { creator, payout, type DbHandle, type PayoutStatus } from "@callastar/db";

type StripeAccount = { stripeAccountId: string | null; isStripeOnboarded: boolean };

/** A creator can be paid once Stripe has an onboarded connected account for them. */
export function hasUsableAccount(c: StripeAccount): boolean {
  return c.stripeAccountId !== null && c.stripeAccountId !== "" && c.isStripeOnboarded;
}

/**
 * Why a creator cannot be paid now, or null when they can: `onboarding_incomplete` (a connected
 * account whose onboarding is not finished: an ordinary state, skipped and counted, never an error)
 * or `no_account` (no connected account at all: a payout requested for them is unpayable).
 */
export function unpaidReason(c: StripeAccount): "no_account" | "onboarding_incomplete" | null {
  if (hasUsableAccount(c)) return null;
  return c.stripeAccountId ? "onboarding_incomplete" : "no_account";
}

const payoutWithCreator = {
  id: payout.id,
  creatorId: payout.creatorId,
  amount: payout.amount,
  currency: payout.currency,
  status: payout.status,
  isAutomatic: payout.isAutomatic,
  stripeTransferId: payout.stripeTransferId,
  failureReason: payout.failureReason,
  attempts: payout.attempts,
  balanceRetries: payout.balanceRetries,
  stripeAccountId: creator.stripeAccountId,
  isStripeOnboarded: creator.isStripeOnboarded,
};

/** One payout and its creator's Stripe account, or null. */
export async function loadPayout(db: DbHandle, payoutId: string) {
  const [row] = await db.db
    .select(payoutWithCreator)
    .from(payout)
    .innerJoin(creator, eq(creator.id, payout.creatorId))
    .where(eq(payout.id, payoutId));
  return row ?? null;
}
/** A payout as loadPayout returns it. */
export type LoadedPayout = NonNullable<Awaited<ReturnType<typeof loadPayout>>>;

// A payout whose next attempt was put off (balance shortfall, a job failed for good) is not due before
// then; nextAttemptAt is set by the database's clock, so it is compared with the same clock.
const attemptDue = () => or(isNull(payout.nextAttemptAt), lte(payout.nextAttemptAt, sql`CURRENT_TIMESTAMP`));

/** REQUESTED payouts, and PROCESSING ones untouched since `staleBefore` (a crash left them there); none put off till later. */
export async function findDuePayouts(db: DbHandle, staleBefore: Date) {
  return db.db
    .select(payoutWithCreator)
    .from(payout)
    .innerJoin(creator, eq(creator.id, payout.creatorId))
    .where(
      and(
        or(eq(payout.status, "REQUESTED"), and(eq(payout.status, "PROCESSING"), lt(payout.processingAt, staleBefore))),
        attemptDue(),
      ),
    )
    .orderBy(payout.requestedAt);
}

/**
 * Payable payouts the recovery may hand to a job: REQUESTED or PROCESSING, of a creator with a usable
 * account (others would only be skipped again), due (`nextAttemptAt` passed), and untouched for
 * `graceMs` (a payout a sweep has just created or a job has just claimed is left to them).
 * `among` narrows to ids already chosen (the re-check after their jobs were looked at).
 */
export async function findRecoverablePayouts(db: DbHandle, options: { graceMs: number; limit: number; among?: string[] }) {
  const rows = await db.db
    .select({ id: payout.id, status: payout.status })
    .from(payout)
    .innerJoin(creator, eq(creator.id, payout.creatorId))
    .where(
      and(
        inArray(payout.status, ["REQUESTED", "PROCESSING"]),
        attemptDue(),
        lt(sql`coalesce(${payout.processingAt}, ${payout.requestedAt})`, sql`CURRENT_TIMESTAMP - (${options.graceMs}::float8 * interval '1 millisecond')`),
        eq(creator.isStripeOnboarded, true),
        ne(creator.stripeAccountId, ""),
        ...(options.among ? [inArray(payout.id, options.among)] : []),
      ),
    )
    .orderBy(payout.requestedAt)
    .limit(options.limit);
  return rows;
}

/**
 * Starts an attempt: REQUESTED or PROCESSING → PROCESSING, attempts + 1, only if the payout is
 * still in `from` (false when another attempt moved it first).
 */
export async function claimPayout(db: DbHandle, payoutId: string, from: Extract<PayoutStatus, "REQUESTED" | "PROCESSING">): Promise<boolean> {
  const rows = await db.db
    .update(payout)
    .set({ status: "PROCESSING", processingAt: new Date(), attempts: sql`${payout.attempts} + 1`, unpayableReason: null })
    .where(and(eq(payout.id, payoutId), eq(payout.status, from)))
    .returning({ id: payout.id });
  return rows.length === 1;
}
