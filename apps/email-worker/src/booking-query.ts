import { and, eq, gte, lte, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { booking, callOffer, creator, emailDelivery, user, type DbHandle } from "@callastar/db";
import { idempotencyKeys } from "@callastar/queues";

const creatorUser = alias(user, "creatorUser");
const clientDelivery = alias(emailDelivery, "clientDelivery");
const creatorDelivery = alias(emailDelivery, "creatorDelivery");

// The reminder path runs these for every booking; drizzle spent ~190 µs building each query
// (17% of a reminder's CPU), so they are built once per database handle and executed prepared.
const prepared = new WeakMap<DbHandle, ReturnType<typeof prepare>>();
function queries(db: DbHandle) {
  let q = prepared.get(db);
  if (!q) {
    q = prepare(db);
    prepared.set(db, q);
  }
  return q;
}

function prepare(db: DbHandle) {
  const load = db.db
    .select({
      id: booking.id,
      status: booking.status,
      reminderSent: booking.reminderSent,
      callDateTime: callOffer.dateTime,
      callDuration: callOffer.duration,
      callTitle: callOffer.title,
      client: { id: user.id, email: user.email, name: user.name, timezone: user.timezone },
      creator: { id: creatorUser.id, email: creatorUser.email, name: creatorUser.name, timezone: creatorUser.timezone },
      // The two reminder emails' delivery records, read here rather than one query each later.
      clientDelivery: { id: clientDelivery.providerMessageId, createdAt: clientDelivery.createdAt },
      creatorDelivery: { id: creatorDelivery.providerMessageId, createdAt: creatorDelivery.createdAt },
    })
    .from(booking)
    .innerJoin(user, eq(user.id, booking.userId))
    .innerJoin(callOffer, eq(callOffer.id, booking.callOfferId))
    .innerJoin(creator, eq(creator.id, callOffer.creatorId))
    .innerJoin(creatorUser, eq(creatorUser.id, creator.userId))
    .leftJoin(clientDelivery, eq(clientDelivery.idempotencyKey, sql.placeholder("clientKey")))
    .leftJoin(creatorDelivery, eq(creatorDelivery.idempotencyKey, sql.placeholder("creatorKey")))
    .where(eq(booking.id, sql.placeholder("bookingId")))
    .prepare("reminder_booking");
  const markSent = db.db
    .update(booking)
    .set({ reminderSent: true })
    .where(and(eq(booking.id, sql.placeholder("bookingId")), eq(booking.reminderSent, false)))
    .returning({ id: booking.id })
    .prepare("reminder_mark_sent");
  return { load, markSent };
}

/**
 * A booking with everything its reminder needs: the client, the creator, the call, and the delivery
 * records of its two reminder emails (null where none was recorded).
 */
export async function loadReminderBooking(db: DbHandle, bookingId: string) {
  const [row] = await queries(db).load.execute({
    bookingId,
    clientKey: idempotencyKeys.reminderEmail(bookingId, "client"),
    creatorKey: idempotencyKeys.reminderEmail(bookingId, "creator"),
  });
  if (!row) return null;
  // drizzle returns an all-null object for an unmatched left join's nested selection.
  const delivery = (d: typeof row.clientDelivery) => (d?.createdAt ? d : null);
  return { ...row, clientDelivery: delivery(row.clientDelivery), creatorDelivery: delivery(row.creatorDelivery) };
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
  const rows = await queries(db).markSent.execute({ bookingId });
  return rows.length === 1;
}
