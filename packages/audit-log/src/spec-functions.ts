// The spec's log functions: readable English messages and the context each one promises (the ids
// passed as arguments, merged with the caller's additional context). Arguments win over context
// keys of the same name, so a stray `bookingId` in a context object cannot falsify the audit row.
import { LogStatus, LogType, type LogContext } from "./log-types";
import { isoAt } from "./serialize/iso-time";
import type { RowInput } from "./write/row";

type Ctx = LogContext | undefined;

/**
 * Every log function of the spec, same names and argument order, each producing `R`: a promise for
 * the logger (resolves, never rejects), the row itself for {@link AuditRowBuilders}.
 */
export interface LogFunctions<R> {
  /** `bookingId`/`userId` may be null for an email tied to no booking or no account. */
  logEmailSent(bookingId: string | null, userId: string | null, emailType: string, additionalContext?: LogContext): R;
  logEmailError(bookingId: string | null, userId: string | null, emailType: string, error: unknown, additionalContext?: LogContext): R;
  logCronRun(cronType: string, itemsProcessed: number, duration: number, additionalContext?: LogContext): R;
  logCronError(cronType: string, error: unknown, additionalContext?: LogContext): R;
  logDailyRoomDeleted(roomId: string, bookingId: string, context?: LogContext): R;
  logDailyRoomError(roomId: string, bookingId: string, error: unknown, context?: LogContext): R;
  logDailyRoomCreated(roomId: string, bookingId: string, context?: LogContext): R;
  logBookingCreated(bookingId: string, userId: string, context?: LogContext): R;
  logBookingError(userId: string, error: unknown, context?: LogContext): R;
  logPaymentSuccess(paymentId: string, bookingId: string, amount: number, currency: string, context?: LogContext): R;
  logPaymentError(bookingId: string, error: unknown, context?: LogContext): R;
  logPaymentRefund(paymentId: string, bookingId: string, amount: number, currency: string, context?: LogContext): R;
  logPayoutSuccess(payoutId: string, creatorId: string, amount: number, currency: string, context?: LogContext): R;
  logPayoutError(payoutId: string | null, creatorId: string, error: unknown, context?: LogContext): R;
  logStripeWebhook(eventType: string, eventId: string, context?: LogContext): R;
  logStripeWebhookError(eventType: string, eventId: string, error: unknown, context?: LogContext): R;
  logNotificationSent(userId: string, notificationType: string, context?: LogContext): R;
  logNotificationError(userId: string, notificationType: string, error: unknown, context?: LogContext): R;
  logSystemError(message: string, error: unknown, context?: LogContext): R;
  logApiError(endpoint: string, error: unknown, context?: LogContext): R;
  /** A custom success row of any type. */
  logSuccess(type: LogType, message: string, context?: LogContext): R;
  /** A custom error row of any type, with the error's stack and cause chain. */
  logError(type: LogType, message: string, error: unknown, context?: LogContext): R;
}

/** The spec's functions as the logger offers them: each resolves once its row is committed (or held). */
export type AuditLogFunctions = LogFunctions<Promise<void>>;

// Ids first (readable key order), then the caller's other keys: the ids win over context keys of
// the same name. (A loop, not `{...ids, ...ctx, ...ids}`: this runs on every log call.)
function merge(ids: LogContext, ctx: Ctx): LogContext {
  if (!ctx) return ids;
  for (const key of Object.keys(ctx)) if (!Object.hasOwn(ids, key)) ids[key] = ctx[key];
  return ids;
}

// "for booking X to user Y", leaving out what an ad-hoc email does not have.
const emailSubject = (bookingId: string | null, userId: string | null) =>
  `${bookingId ? ` for booking ${bookingId}` : ""}${userId ? ` to user ${userId}` : ""}`;

/** Builds the spec's functions over one primitive (write a row, or just build it). */
export function createLogFunctions<R>(write: (input: RowInput) => R): LogFunctions<R> {
  const ok = (type: LogType, message: string, context: LogContext): R =>
    write({ type, status: LogStatus.SUCCESS, message, context, hasError: false });
  const ko = (type: LogType, message: string, error: unknown, context: LogContext | undefined): R =>
    write({ type, status: LogStatus.ERROR, message, context, error, hasError: true });

  return {
    logEmailSent: (bookingId, userId, emailType, ctx) =>
      ok(LogType.EMAIL_SENT, `Email ${emailType} sent${emailSubject(bookingId, userId)}`, merge({ bookingId, userId, emailType }, ctx)),
    logEmailError: (bookingId, userId, emailType, error, ctx) =>
      ko(LogType.EMAIL_ERROR, `Failed to send email ${emailType}${emailSubject(bookingId, userId)}`, error, merge({ bookingId, userId, emailType }, ctx)),
    logCronRun(cronType, itemsProcessed, duration, ctx) {
      const endMs = Date.now();
      const ms = Number.isFinite(duration) ? duration : 0;
      // The caller's own startTime/endTime (measured around the real work) win over the derived ones.
      const startTime = ctx?.startTime ?? isoAt(endMs - ms);
      const endTime = ctx?.endTime ?? isoAt(endMs);
      const ids = { cronType, itemsProcessed, duration, durationSeconds: Math.round(ms / 10) / 100, startTime, endTime };
      return ok(LogType.CRON_RUN, `Cron ${cronType} completed: ${itemsProcessed} items processed in ${duration} ms`, merge(ids, ctx));
    },
    logCronError: (cronType, error, ctx) => ko(LogType.CRON_ERROR, `Cron ${cronType} failed`, error, merge({ cronType }, ctx)),
    logDailyRoomDeleted: (roomId, bookingId, ctx) =>
      ok(LogType.DAILY_ROOM_DELETED, `Daily room ${roomId} deleted for booking ${bookingId}`, merge({ roomId, bookingId }, ctx)),
    logDailyRoomError(roomId, bookingId, error, ctx) {
      const operation = typeof ctx?.operation === "string" ? ` ${ctx.operation}` : "";
      return ko(LogType.DAILY_ROOM_ERROR, `Daily room ${roomId}${operation} failed for booking ${bookingId}`, error, merge({ roomId, bookingId }, ctx));
    },
    logDailyRoomCreated: (roomId, bookingId, ctx) =>
      ok(LogType.DAILY_ROOM_CREATED, `Daily room ${roomId} created for booking ${bookingId}`, merge({ roomId, bookingId }, ctx)),
    logBookingCreated: (bookingId, userId, ctx) =>
      ok(LogType.BOOKING_CREATED, `Booking ${bookingId} created by user ${userId}`, merge({ bookingId, userId }, ctx)),
    logBookingError: (userId, error, ctx) => ko(LogType.BOOKING_ERROR, `Booking failed for user ${userId}`, error, merge({ userId }, ctx)),
    logPaymentSuccess: (paymentId, bookingId, amount, currency, ctx) =>
      ok(LogType.PAYMENT_SUCCESS, `Payment ${paymentId} of ${amount} ${currency} succeeded for booking ${bookingId}`, merge({ paymentId, bookingId, amount, currency }, ctx)),
    logPaymentError: (bookingId, error, ctx) => ko(LogType.PAYMENT_ERROR, `Payment failed for booking ${bookingId}`, error, merge({ bookingId }, ctx)),
    logPaymentRefund: (paymentId, bookingId, amount, currency, ctx) =>
      ok(LogType.PAYMENT_REFUND, `Payment ${paymentId} refunded: ${amount} ${currency} for booking ${bookingId}`, merge({ paymentId, bookingId, amount, currency }, ctx)),
    logPayoutSuccess: (payoutId, creatorId, amount, currency, ctx) =>
      ok(LogType.PAYOUT_SUCCESS, `Payout ${payoutId} of ${amount} ${currency} paid to creator ${creatorId}`, merge({ payoutId, creatorId, amount, currency }, ctx)),
    logPayoutError: (payoutId, creatorId, error, ctx) =>
      ko(LogType.PAYOUT_ERROR, `Payout ${payoutId ?? "(not created)"} failed for creator ${creatorId}`, error, merge({ payoutId, creatorId }, ctx)),
    logStripeWebhook: (eventType, eventId, ctx) =>
      ok(LogType.STRIPE_WEBHOOK, `Stripe webhook ${eventType} (${eventId}) processed`, merge({ eventType, eventId }, ctx)),
    logStripeWebhookError: (eventType, eventId, error, ctx) =>
      ko(LogType.STRIPE_WEBHOOK_ERROR, `Stripe webhook ${eventType} (${eventId}) failed`, error, merge({ eventType, eventId }, ctx)),
    logNotificationSent: (userId, notificationType, ctx) =>
      ok(LogType.NOTIFICATION_SENT, `Notification ${notificationType} sent to user ${userId}`, merge({ userId, notificationType }, ctx)),
    logNotificationError: (userId, notificationType, error, ctx) =>
      ko(LogType.NOTIFICATION_ERROR, `Notification ${notificationType} failed for user ${userId}`, error, merge({ userId, notificationType }, ctx)),
    logSystemError: (message, error, ctx) => ko(LogType.SYSTEM_ERROR, message, error, ctx),
    logApiError: (endpoint, error, ctx) => ko(LogType.API_ERROR, `API call to ${endpoint} failed`, error, merge({ endpoint }, ctx)),
    logSuccess: (type, message, ctx) => write({ type, status: LogStatus.SUCCESS, message, context: ctx, hasError: false }),
    logError: (type, message, error, ctx) => write({ type, status: LogStatus.ERROR, message, context: ctx, error, hasError: true }),
  };
}
