import { and, eq, gte, lte } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { booking, callOffer, creator, user, type DbHandle } from "@callastar/db";

const creatorUser = alias(user, "creatorUser");

/** A booking with everything its reminder needs: the client, the creator, the call. */
export async function loadReminderBooking(db: DbHandle, bookingId: string) {
  const [row] = await db.db
    .select({
      id: booking.id,
      status: booking.status,
      reminderSent: booking.reminderSent,
      callDateTime: callOffer.dateTime,
      callDuration: callOffer.duration,
      callTitle: callOffer.title,
      client: { id: user.id, email: user.email, name: user.name, timezone: user.timezone },
      creator: { id: creatorUser.id, email: creatorUser.email, name: creatorUser.name, timezone: creatorUser.timezone },
    })
    .from(booking)
    .innerJoin(user, eq(user.id, booking.userId))
    .innerJoin(callOffer, eq(callOffer.id, booking.callOfferId))
    .innerJoin(creator, eq(creator.id, callOffer.creatorId))
    .innerJoin(creatorUser, eq(creatorUser.id, creator.userId))
    .where(eq(booking.id, bookingId));
  return row ?? null;
}
export type ReminderBooking = NonNullable<Awaited<ReturnType<typeof loadReminderBooking>>>;

/** CONFIRMED bookings not yet reminded whose call starts in [from, to]: the sweep's candidates. */
export async function findDueReminders(db: DbHandle, from: Date, to: Date) {
  return db.db
    .select({ id: booking.id, callDateTime: callOffer.dateTime })
    .from(booking)
    .innerJoin(callOffer, eq(callOffer.id, booking.callOfferId))
    .where(
      and(
        eq(booking.status, "CONFIRMED"),
        eq(booking.reminderSent, false),
        gte(callOffer.dateTime, from),
        lte(callOffer.dateTime, to),
      ),
    );
}

/** Marks the reminder sent, once: false when another run already did. */
export async function markReminderSent(db: DbHandle, bookingId: string): Promise<boolean> {
  const rows = await db.db
    .update(booking)
    .set({ reminderSent: true })
    .where(and(eq(booking.id, bookingId), eq(booking.reminderSent, false)))
    .returning({ id: booking.id });
  return rows.length === 1;
}
