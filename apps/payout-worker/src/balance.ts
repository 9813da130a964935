import { and, eq, inArray, sql } from "drizzle-orm";
import { booking, callOffer, creator, log, payment, payout, type Db, type DbHandle, type LogStatusValue, type LogTypeValue } from "@callastar/db";
import { auditRows, LogType, type StoredRow } from "@callastar/audit-log";
import { hasUsableAccount } from "./payout-query";
import { payoutLogIds } from "./payout-statements";

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

/** What one creator's automatic-payout check decided. */
export type AutomaticPayoutDecision =
  | { kind: "created"; payoutId: string; amount: number; currency: string }
  | { kind: "below_minimum"; balance: number; minimum: number; currency: string }
  /** An automatic payout of this creator is already REQUESTED or PROCESSING. */
  | { kind: "in_flight"; balance: number; currency: string }
  | { kind: "not_eligible" };

// Integer sums in minor units; bigint in SQL so large totals cannot overflow, checked on the way out.
const total = (column: typeof payment.creatorAmount | typeof payout.amount) =>
  sql<string>`coalesce(sum(${column}), 0)::bigint`;

/**
 * The creator's available balance in `currency` (minor units): what SUCCEEDED payments of their
 * COMPLETED bookings earned them, minus every payout REQUESTED, PROCESSING or PAID in that currency.
 */
async function availableBalance(tx: Tx | Db, creatorId: string, currency: string): Promise<number> {
  const [earned] = await tx
    .select({ sum: total(payment.creatorAmount) })
    .from(payment)
    .innerJoin(booking, eq(booking.id, payment.bookingId))
    .innerJoin(callOffer, eq(callOffer.id, booking.callOfferId))
    .where(
      and(
        eq(callOffer.creatorId, creatorId),
        eq(payment.status, "SUCCEEDED"),
        eq(booking.status, "COMPLETED"),
        sql`lower(${payment.currency}) = lower(${currency})`,
      ),
    );
  const [committed] = await tx
    .select({ sum: total(payout.amount) })
    .from(payout)
    .where(
      and(
        eq(payout.creatorId, creatorId),
        inArray(payout.status, ["REQUESTED", "PROCESSING", "PAID"]),
        sql`lower(${payout.currency}) = lower(${currency})`,
      ),
    );
  const balance = BigInt(earned?.sum ?? "0") - BigInt(committed?.sum ?? "0");
  if (balance > BigInt(Number.MAX_SAFE_INTEGER) || balance < -BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`Balance of creator ${creatorId} (${balance} minor units) is out of range`);
  }
  return Number(balance);
}

/** Creators on automatic payouts, with what the sweep needs to decide about them. */
export async function findAutomaticCreators(db: DbHandle) {
  return db.db
    .select({ id: creator.id, stripeAccountId: creator.stripeAccountId, isStripeOnboarded: creator.isStripeOnboarded })
    .from(creator)
    .where(eq(creator.automaticPayoutsEnabled, true))
    .orderBy(creator.id);
}

/**
 * The audit row of an automatic payout's creation, id `payout-created:<id>`. Typed NOTIFICATION_SENT
 * (a decision recorded, as a reminder's skip is): a PAYOUT_SUCCESS would count a payout as paid
 * before any money moved, and EMAIL_SENT / CRON_RUN would inflate getLogStats' email and cron figures.
 */
function automaticPayoutCreatedRow(
  p: { payoutId: string; creatorId: string; amount: number; currency: string; minimum: number },
  context: Record<string, unknown> = {},
): StoredRow {
  const message = `Automatic payout ${p.payoutId} of ${p.amount} ${p.currency} created for creator ${p.creatorId}`;
  const row = auditRows.logSuccess(LogType.NOTIFICATION_SENT, message, {
    event: "payout_created",
    notificationType: "automatic_payout_created",
    payoutId: p.payoutId,
    creatorId: p.creatorId,
    amount: p.amount,
    currency: p.currency,
    isAutomatic: true,
    automaticPayoutMinimum: p.minimum,
    ...context,
  });
  return { ...row, id: payoutLogIds.created(p.payoutId) };
}

/**
 * In one transaction with the creator row locked (two runs serialize per creator): computes the
 * available balance and, when it reaches the creator's minimum, inserts one automatic REQUESTED
 * payout for all of it, with its audit row (automaticPayoutCreatedRow) — both or neither. The
 * partial unique index "Payout_automatic_in_flight_key" is the backstop: a conflict means one is in
 * flight already. `auditContext` (the run's cronType, jobId…) goes into the row.
 */
export async function createAutomaticPayout(db: DbHandle, creatorId: string, auditContext: Record<string, unknown> = {}): Promise<AutomaticPayoutDecision> {
  return db.db.transaction(async (tx) => {
    const [c] = await tx
      .select({
        automaticPayoutsEnabled: creator.automaticPayoutsEnabled,
        automaticPayoutMinimum: creator.automaticPayoutMinimum,
        payoutCurrency: creator.payoutCurrency,
        stripeAccountId: creator.stripeAccountId,
        isStripeOnboarded: creator.isStripeOnboarded,
      })
      .from(creator)
      .where(eq(creator.id, creatorId))
      .for("update");
    if (!c || !c.automaticPayoutsEnabled || !hasUsableAccount(c)) return { kind: "not_eligible" };
    const currency = c.payoutCurrency.toLowerCase();
    const balance = await availableBalance(tx, creatorId, currency);
    if (balance <= 0 || balance < c.automaticPayoutMinimum) {
      return { kind: "below_minimum", balance, minimum: c.automaticPayoutMinimum, currency };
    }
    const [row] = await tx
      .insert(payout)
      .values({ creatorId, amount: balance, currency, status: "REQUESTED", isAutomatic: true })
      .onConflictDoNothing({ target: payout.creatorId, where: sql`"isAutomatic" AND "status" IN ('REQUESTED', 'PROCESSING')` })
      .returning({ id: payout.id });
    if (!row) return { kind: "in_flight", balance, currency };
    const created = automaticPayoutCreatedRow({ payoutId: row.id, creatorId, amount: balance, currency, minimum: c.automaticPayoutMinimum }, auditContext);
    await tx.insert(log).values(logValues(created)).onConflictDoNothing({ target: log.id });
    return { kind: "created", payoutId: row.id, amount: balance, currency };
  });
}

// The row as the logger built it (text columns) in drizzle's types, for an insert inside a transaction.
function logValues(row: StoredRow): typeof log.$inferInsert {
  return {
    id: row.id,
    type: row.type as LogTypeValue,
    status: row.status as LogStatusValue,
    message: row.message,
    context: row.context === null ? null : (JSON.parse(row.context) as Record<string, unknown>),
    error: row.error,
    createdAt: new Date(row.createdAt),
  };
}
