import { pgEnum } from "drizzle-orm/pg-core";

/** The 20 audit log types of the logging spec, in its order. */
export const LOG_TYPES = [
  "EMAIL_SENT",
  "EMAIL_ERROR",
  "CRON_RUN",
  "CRON_ERROR",
  "DAILY_ROOM_DELETED",
  "DAILY_ROOM_ERROR",
  "DAILY_ROOM_CREATED",
  "BOOKING_CREATED",
  "BOOKING_ERROR",
  "PAYMENT_SUCCESS",
  "PAYMENT_ERROR",
  "PAYMENT_REFUND",
  "PAYOUT_SUCCESS",
  "PAYOUT_ERROR",
  "STRIPE_WEBHOOK",
  "STRIPE_WEBHOOK_ERROR",
  "NOTIFICATION_SENT",
  "NOTIFICATION_ERROR",
  "SYSTEM_ERROR",
  "API_ERROR",
] as const;
export const LOG_STATUSES = ["SUCCESS", "ERROR"] as const;
export const BOOKING_STATUSES = ["PENDING", "CONFIRMED", "COMPLETED", "CANCELLED"] as const;
export const PAYMENT_STATUSES = ["PENDING", "SUCCEEDED", "FAILED", "REFUNDED"] as const;
/** REQUESTED → PROCESSING → PAID | FAILED; PROCESSING means a transfer may exist at Stripe. */
export const PAYOUT_STATUSES = ["REQUESTED", "PROCESSING", "PAID", "FAILED"] as const;

export const logTypeEnum = pgEnum("LogType", LOG_TYPES);
export const logStatusEnum = pgEnum("LogStatus", LOG_STATUSES);
export const bookingStatusEnum = pgEnum("BookingStatus", BOOKING_STATUSES);
export const paymentStatusEnum = pgEnum("PaymentStatus", PAYMENT_STATUSES);
export const payoutStatusEnum = pgEnum("PayoutStatus", PAYOUT_STATUSES);

export type LogTypeValue = (typeof LOG_TYPES)[number];
export type LogStatusValue = (typeof LOG_STATUSES)[number];
export type BookingStatus = (typeof BOOKING_STATUSES)[number];
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];
export type PayoutStatus = (typeof PAYOUT_STATUSES)[number];

/** RUNNING → SUCCEEDED | FAILED; each finished state commits with its CRON_RUN / CRON_ERROR row. */
export const CRON_RUN_STATUSES = ["RUNNING", "SUCCEEDED", "FAILED"] as const;
/** DELETING is written before Daily is called, so a retry after a crash knows the DELETE was ours. */
export const ROOM_DELETION_STATUSES = ["DELETING", "DELETED", "ALREADY_DELETED", "REFUSED"] as const;
export const cronRunStatusEnum = pgEnum("CronRunStatus", CRON_RUN_STATUSES);
export const roomDeletionStatusEnum = pgEnum("DailyRoomDeletionStatus", ROOM_DELETION_STATUSES);
export type CronRunStatus = (typeof CRON_RUN_STATUSES)[number];
export type RoomDeletionStatus = (typeof ROOM_DELETION_STATUSES)[number];
