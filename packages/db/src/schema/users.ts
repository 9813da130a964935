import { boolean, integer, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, id, updatedAt } from "./columns";

export const user = pgTable(
  "User",
  {
    id: id(),
    email: text("email").notNull(),
    name: text("name").notNull(),
    /** IANA zone used to format dates in this user's emails. */
    timezone: text("timezone").notNull().default("UTC"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("User_email_key").on(t.email)],
);

export const creator = pgTable(
  "Creator",
  {
    id: id(),
    userId: text("userId")
      .notNull()
      .references(() => user.id, { onDelete: "cascade", onUpdate: "cascade" }),
    /** Stripe Connect account (acct_…); null until onboarding starts. */
    stripeAccountId: text("stripeAccountId"),
    /** True once Stripe reports payouts enabled on the connected account. */
    isStripeOnboarded: boolean("isStripeOnboarded").notNull().default(false),
    automaticPayoutsEnabled: boolean("automaticPayoutsEnabled").notNull().default(false),
    /** Minimum available balance, in minor units, before an automatic payout is created. */
    automaticPayoutMinimum: integer("automaticPayoutMinimum").notNull().default(5000),
    payoutCurrency: text("payoutCurrency").notNull().default("eur"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("Creator_userId_key").on(t.userId)],
);
