import { booking, callOffer, creator, createId, user, type DbHandle, type BookingStatus } from "@callastar/db";

export interface SeededBooking {
  bookingId: string;
  clientId: string;
  creatorUserId: string;
  creatorId: string;
  callOfferId: string;
  callDateTime: Date;
}

/** Inserts a client, a creator, a call offer at `callDateTime` and a booking: the reminder's world. */
export async function seedBooking(
  db: DbHandle,
  options: {
    callDateTime: Date;
    status?: BookingStatus;
    reminderSent?: boolean;
    clientTimezone?: string;
    creatorTimezone?: string;
    dailyRoomName?: string | null;
    label?: string;
  },
): Promise<SeededBooking> {
  const label = options.label ?? createId();
  const [client] = await db.db
    .insert(user)
    .values({ email: `fan-${label}@example.com`, name: `Fan ${label}`, timezone: options.clientTimezone ?? "Europe/Paris" })
    .returning();
  const [creatorUser] = await db.db
    .insert(user)
    .values({ email: `star-${label}@example.com`, name: `Star ${label}`, timezone: options.creatorTimezone ?? "America/New_York" })
    .returning();
  const [c] = await db.db
    .insert(creator)
    .values({ userId: creatorUser!.id, stripeAccountId: `acct_1${label.replace(/[^A-Za-z0-9]/g, "")}`.slice(0, 40), isStripeOnboarded: true })
    .returning();
  const [offer] = await db.db
    .insert(callOffer)
    .values({ creatorId: c!.id, title: `Call with Star ${label}`, dateTime: options.callDateTime, duration: 30, price: 5000 })
    .returning();
  const [b] = await db.db
    .insert(booking)
    .values({
      userId: client!.id,
      callOfferId: offer!.id,
      status: options.status ?? "CONFIRMED",
      totalPrice: 5000,
      reminderSent: options.reminderSent ?? false,
      dailyRoomName: options.dailyRoomName ?? null,
      dailyRoomUrl: options.dailyRoomName ? `https://callastar.daily.co/${options.dailyRoomName}` : null,
    })
    .returning();
  return {
    bookingId: b!.id,
    clientId: client!.id,
    creatorUserId: creatorUser!.id,
    creatorId: c!.id,
    callOfferId: offer!.id,
    callDateTime: options.callDateTime,
  };
}
