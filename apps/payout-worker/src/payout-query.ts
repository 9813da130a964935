import { and, eq, lt, or, sql } from "drizzle-orm";
import { creator, payout, type DbHandle, type PayoutStatus } from "@callastar/db";

/** A creator can be paid once Stripe has an onboarded connected account for them. */
export function hasUsableAccount(c: { stripeAccountId: string | null; isStripeOnboarded: boolean }): boolean {
  return c.stripeAccountId !== null && c.stripeAccountId !== "" && c.isStripeOnboarded;
}

const payoutWithCreator = {
  id: payout.id,
  creatorId: payout.creatorId,
  amount: payout.amount,
  currency: payout.currency,
  status: payout.status,
  isAutomatic: payout.isAutomatic,
  stripeTransferId: payout.stripeTransferId,
  attempts: payout.attempts,
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

/** REQUESTED payouts, and PROCESSING ones untouched since `staleBefore` (a crash left them there). */
export async function findDuePayouts(db: DbHandle, staleBefore: Date) {
  return db.db
    .select(payoutWithCreator)
    .from(payout)
    .innerJoin(creator, eq(creator.id, payout.creatorId))
    .where(or(eq(payout.status, "REQUESTED"), and(eq(payout.status, "PROCESSING"), lt(payout.processingAt, staleBefore))))
    .orderBy(payout.requestedAt);
}

/**
 * Starts an attempt: REQUESTED or PROCESSING → PROCESSING, attempts + 1, only if the payout is
 * still in `from` (false when another attempt moved it first).
 */
export async function claimPayout(db: DbHandle, payoutId: string, from: Extract<PayoutStatus, "REQUESTED" | "PROCESSING">): Promise<boolean> {
  const rows = await db.db
    .update(payout)
    .set({ status: "PROCESSING", processingAt: new Date(), attempts: sql`${payout.attempts} + 1` })
    .where(and(eq(payout.id, payoutId), eq(payout.status, from)))
    .returning({ id: payout.id });
  return rows.length === 1;
}

/** PROCESSING → PAID with the transfer that paid it; false when the payout was not PROCESSING. */
export async function markPaid(db: DbHandle, payoutId: string, stripeTransferId: string): Promise<boolean> {
  const rows = await db.db
    .update(payout)
    .set({ status: "PAID", stripeTransferId, paidAt: new Date(), failureReason: null })
    .where(and(eq(payout.id, payoutId), eq(payout.status, "PROCESSING")))
    .returning({ id: payout.id });
  return rows.length === 1;
}

/** PROCESSING → FAILED with Stripe's reason; false when the payout was not PROCESSING. */
export async function markFailed(db: DbHandle, payoutId: string, failureReason: string): Promise<boolean> {
  const rows = await db.db
    .update(payout)
    .set({ status: "FAILED", failureReason: failureReason.slice(0, 1000), failedAt: new Date() })
    .where(and(eq(payout.id, payoutId), eq(payout.status, "PROCESSING")))
    .returning({ id: payout.id });
  return rows.length === 1;
}
