import { boolean, index, integer, pgTable, text } from "drizzle-orm/pg-core";
import { createdAt, id, ts, updatedAt } from "./columns";
import { bookingStatusEnum } from "./enums";
import { creator, user } from "./users";

export const callOffer = pgTable(
  "CallOffer",
  {
    id: id(),
    creatorId: text("creatorId")
      .notNull()
      .references(() => creator.id, { onDelete: "cascade", onUpdate: "cascade" }),
    title: text("title").notNull(),
    dateTime: ts("dateTime").notNull(),
    /** Minutes. */
    duration: integer("duration").notNull(),
    /** Minor units (cents). */
    price: integer("price").notNull(),
    currency: text("currency").notNull().default("eur"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("CallOffer_creatorId_idx").on(t.creatorId), index("CallOffer_dateTime_idx").on(t.dateTime)],
);

export const booking = pgTable(
  "Booking",
  {
    id: id(),
    userId: text("userId")
      .notNull()
      .references(() => user.id, { onDelete: "cascade", onUpdate: "cascade" }),
    callOfferId: text("callOfferId")
      .notNull()
      .references(() => callOffer.id, { onDelete: "cascade", onUpdate: "cascade" }),
    status: bookingStatusEnum("status").notNull().default("PENDING"),
    /** Minor units (cents). */
    totalPrice: integer("totalPrice").notNull(),
    dailyRoomName: text("dailyRoomName"),
    dailyRoomUrl: text("dailyRoomUrl"),
    reminderSent: boolean("reminderSent").notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("Booking_reminderSent_idx").on(t.reminderSent),
    index("Booking_userId_idx").on(t.userId),
    index("Booking_callOfferId_idx").on(t.callOfferId),
    index("Booking_status_idx").on(t.status),
  ],
);
