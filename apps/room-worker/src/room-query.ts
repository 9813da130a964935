import { and, eq, inArray, isNotNull, notExists } from "drizzle-orm";
import { booking, dailyRoomDeletion, type BookingStatus, type DbHandle } from "@callastar/db";

/** Booking statuses whose call is over: their Daily room can go. */
export const FINISHED_STATUSES = ["COMPLETED", "CANCELLED"] as const satisfies readonly BookingStatus[];

/**
 * COMPLETED or CANCELLED bookings that still reference a Daily room: the cleanup's candidates. A room
 * whose name Daily refuses (a REFUSED deletion of this very room) is left out: retrying cannot help.
 */
export async function findRoomsToDelete(db: DbHandle) {
  const refused = db.db
    .select({ id: dailyRoomDeletion.id })
    .from(dailyRoomDeletion)
    .where(
      and(
        eq(dailyRoomDeletion.bookingId, booking.id),
        eq(dailyRoomDeletion.roomName, booking.dailyRoomName),
        eq(dailyRoomDeletion.status, "REFUSED"),
      ),
    );
  return db.db
    .select({ bookingId: booking.id, roomName: booking.dailyRoomName, status: booking.status })
    .from(booking)
    .where(and(inArray(booking.status, [...FINISHED_STATUSES]), isNotNull(booking.dailyRoomName), notExists(refused)))
    .orderBy(booking.updatedAt);
}

/** The booking's current room and status, or null when the booking is gone. */
export async function loadBookingRoom(db: DbHandle, bookingId: string) {
  const [row] = await db.db
    .select({ id: booking.id, status: booking.status, roomName: booking.dailyRoomName, roomUrl: booking.dailyRoomUrl })
    .from(booking)
    .where(eq(booking.id, bookingId));
  return row ?? null;
}
