import { and, eq, inArray, isNotNull } from "drizzle-orm";
import { booking, type BookingStatus, type DbHandle } from "@callastar/db";

/** Booking statuses whose call is over: their Daily room can go. */
export const FINISHED_STATUSES = ["COMPLETED", "CANCELLED"] as const satisfies readonly BookingStatus[];

/** COMPLETED or CANCELLED bookings that still reference a Daily room: the cleanup's candidates. */
export async function findRoomsToDelete(db: DbHandle) {
  return db.db
    .select({ bookingId: booking.id, roomName: booking.dailyRoomName, status: booking.status })
    .from(booking)
    .where(and(inArray(booking.status, [...FINISHED_STATUSES]), isNotNull(booking.dailyRoomName)))
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

/** Clears the booking's room, only if it still is `roomName` (a new room set meanwhile is kept). */
export async function clearBookingRoom(db: DbHandle, bookingId: string, roomName: string): Promise<boolean> {
  const rows = await db.db
    .update(booking)
    .set({ dailyRoomName: null, dailyRoomUrl: null })
    .where(and(eq(booking.id, bookingId), eq(booking.dailyRoomName, roomName)))
    .returning({ id: booking.id });
  return rows.length === 1;
}
