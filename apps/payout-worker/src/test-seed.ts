// Test fixtures of the payout worker's world: creators, their paid bookings, their payouts.
import { booking, callOffer, createId, creator, payment, payout, user, type BookingStatus, type DbHandle, type PaymentStatus, type PayoutStatus } from "@callastar/db";

/** Inserts a creator (and their user); onboarded with an account unless told otherwise. */
export async function seedCreator(
  db: DbHandle,
  options: {
    stripeAccountId?: string | null;
    isStripeOnboarded?: boolean;
    automaticPayoutsEnabled?: boolean;
    automaticPayoutMinimum?: number;
    payoutCurrency?: string;
  } = {},
): Promise<string> {
  const label = createId();
  const [u] = await db.db.insert(user).values({ email: `star-${label}@example.com`, name: `Star ${label}` }).returning({ id: user.id });
  const [c] = await db.db
    .insert(creator)
    .values({
      userId: u!.id,
      stripeAccountId: options.stripeAccountId === undefined ? `acct_${label}` : options.stripeAccountId,
      isStripeOnboarded: options.isStripeOnboarded ?? true,
      automaticPayoutsEnabled: options.automaticPayoutsEnabled ?? false,
      automaticPayoutMinimum: options.automaticPayoutMinimum ?? 5000,
      payoutCurrency: options.payoutCurrency ?? "eur",
    })
    .returning({ id: creator.id });
  return c!.id;
}

/** A fan's booking of the creator and its payment, of which `creatorAmount` is the creator's share. */
export async function seedEarning(
  db: DbHandle,
  creatorId: string,
  options: { creatorAmount: number; bookingStatus?: BookingStatus; paymentStatus?: PaymentStatus; currency?: string },
): Promise<string> {
  const label = createId();
  const currency = options.currency ?? "eur";
  const [fan] = await db.db.insert(user).values({ email: `fan-${label}@example.com`, name: `Fan ${label}` }).returning({ id: user.id });
  const [offer] = await db.db
    .insert(callOffer)
    .values({ creatorId, title: "Call", dateTime: new Date(Date.now() - 86_400_000), duration: 30, price: options.creatorAmount + 1000, currency })
    .returning({ id: callOffer.id });
  const [b] = await db.db
    .insert(booking)
    .values({ userId: fan!.id, callOfferId: offer!.id, status: options.bookingStatus ?? "COMPLETED", totalPrice: options.creatorAmount + 1000 })
    .returning({ id: booking.id });
  await db.db.insert(payment).values({
    bookingId: b!.id,
    amount: options.creatorAmount + 1000,
    currency,
    status: options.paymentStatus ?? "SUCCEEDED",
    stripePaymentIntentId: `pi_${label}`,
    platformFee: 1000,
    creatorAmount: options.creatorAmount,
  });
  return b!.id;
}

/** A payout row of the creator. */
export async function seedPayout(
  db: DbHandle,
  creatorId: string,
  options: { amount: number; currency?: string; status?: PayoutStatus; isAutomatic?: boolean; processingAt?: Date; stripeTransferId?: string },
): Promise<string> {
  const [p] = await db.db
    .insert(payout)
    .values({
      creatorId,
      amount: options.amount,
      currency: options.currency ?? "eur",
      status: options.status ?? "REQUESTED",
      isAutomatic: options.isAutomatic ?? false,
      processingAt: options.processingAt ?? (options.status === "PROCESSING" ? new Date() : null),
      stripeTransferId: options.stripeTransferId ?? null,
      paidAt: options.status === "PAID" ? new Date() : null,
    })
    .returning({ id: payout.id });
  return p!.id;
}
