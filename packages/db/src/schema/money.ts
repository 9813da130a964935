import { boolean, index, integer, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { sql } from "drizzle-orm";
import { createdAt, id, ts, updatedAt } from "./columns";
import { paymentStatusEnum, payoutStatusEnum } from "./enums";
import { booking } from "./bookings";
import { creator } from "./users";

/** A fan's payment for a booking; amounts in minor units. */
export const payment = pgTable(
  "Payment",
  {
    id: id(),
    bookingId: text("bookingId")
      .notNull()
      .references(() => booking.id, { onDelete: "cascade", onUpdate: "cascade" }),
    amount: integer("amount").notNull(),
    currency: text("currency").notNull().default("eur"),
    status: paymentStatusEnum("status").notNull().default("PENDING"),
    stripePaymentIntentId: text("stripePaymentIntentId").notNull(),
    platformFee: integer("platformFee").notNull(),
    creatorAmount: integer("creatorAmount").notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("Payment_bookingId_key").on(t.bookingId),
    uniqueIndex("Payment_stripePaymentIntentId_key").on(t.stripePaymentIntentId),
  ],
);

/** Money owed to a creator; paid by one Stripe transfer whose idempotency key is `payout:<id>`. */
export const payout = pgTable(
  "Payout",
  {
    id: id(),
    creatorId: text("creatorId")
      .notNull()
      .references(() => creator.id, { onDelete: "cascade", onUpdate: "cascade" }),
    amount: integer("amount").notNull(),
    currency: text("currency").notNull().default("eur"),
    status: payoutStatusEnum("status").notNull().default("REQUESTED"),
    isAutomatic: boolean("isAutomatic").notNull().default(false),
    stripeTransferId: text("stripeTransferId"),
    failureReason: text("failureReason"),
    attempts: integer("attempts").notNull().default(0),
    requestedAt: ts("requestedAt").notNull().default(sql`CURRENT_TIMESTAMP`),
    processingAt: ts("processingAt"),
    paidAt: ts("paidAt"),
    failedAt: ts("failedAt"),
    /** Stripe balance_insufficient refusals so far; also the generation of the transfer's idempotency key. */
    balanceRetries: integer("balanceRetries").notNull().default(0),
    /** No sweep or recovery retries the payout before this (a balance shortfall, a job failed for good). */
    nextAttemptAt: ts("nextAttemptAt"),
    /** Why a REQUESTED payout cannot be paid (its creator has no Stripe account); null once payable. */
    unpayableReason: text("unpayableReason"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("Payout_creatorId_idx").on(t.creatorId),
    index("Payout_status_idx").on(t.status),
    // The reconciler's window over paid payouts.
    index("Payout_paidAt_idx").on(t.paidAt),
    uniqueIndex("Payout_stripeTransferId_key").on(t.stripeTransferId),
    // At most one automatic payout in flight per creator: two concurrent runs cannot both create one.
    uniqueIndex("Payout_automatic_in_flight_key")
      .on(t.creatorId)
      .where(sql`"isAutomatic" AND "status" IN ('REQUESTED', 'PROCESSING')`),
  ],
);

/**
 * One row per email actually accepted by the provider, keyed by its idempotency key: the durable
 * record that makes a retried or re-swept email a no-op beyond Resend's 24 h replay window.
 */
export const emailDelivery = pgTable(
  "EmailDelivery",
  {
    idempotencyKey: text("idempotencyKey").primaryKey(),
    emailType: text("emailType").notNull(),
    bookingId: text("bookingId"),
    userId: text("userId"),
    recipientEmail: text("recipientEmail").notNull(),
    providerMessageId: text("providerMessageId"),
    /** Set once the EMAIL_SENT audit row is committed; a retry after a crash writes it if null. */
    loggedAt: ts("loggedAt"),
    createdAt: createdAt(),
  },
  // createdAt: the reconciler's window over deliveries (the table keeps every email ever sent).
  (t) => [index("EmailDelivery_bookingId_idx").on(t.bookingId), index("EmailDelivery_createdAt_idx").on(t.createdAt)],
);
