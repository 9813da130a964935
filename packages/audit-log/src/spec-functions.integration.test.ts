import { LogStatus, LogType } from "./index";
import { useAuditDatabase } from "./test-fixtures/audit-database";

const h = useAuditDatabase();


async function lastRow() {
  // Read back through getRecentLogs (newest first) so the drizzle types are checked too.
  const [row] = await h.logger.getRecentLogs({ limit: 1 });
  if (!row) throw new Error("no row");
  return row;
}

describe("value objects", () => {
  it("mirror Prisma's enums", () => {
    expect(LogType.EMAIL_SENT).toBe("EMAIL_SENT");
    expect(Object.keys(LogType)).toHaveLength(20);
    expect(LogStatus).toEqual({ SUCCESS: "SUCCESS", ERROR: "ERROR" });
  });
});

describe("each spec function writes the row the spec describes", () => {
  it("logEmailSent: message, ids merged with additional context, cuid id, client timestamp", async () => {
    const before = Date.now();
    await h.logger.logEmailSent("clx123456", "user789", "booking_confirmation", { recipientEmail: "user@example.com", creatorId: "creator456" });
    const row = await lastRow();
    expect(row).toMatchObject({ type: "EMAIL_SENT", status: "SUCCESS", error: null });
    expect(row.message).toBe("Email booking_confirmation sent for booking clx123456 to user user789");
    expect(row.context).toEqual({ bookingId: "clx123456", userId: "user789", emailType: "booking_confirmation", recipientEmail: "user@example.com", creatorId: "creator456" });
    expect(row.id).toMatch(/^c[a-z0-9]{24}$/);
    expect(row.createdAt.getTime()).toBeGreaterThanOrEqual(before - 1);
    expect(row.createdAt.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it("logEmailError: stack, enumerable props and the whole cause chain", async () => {
    const root = new Error("socket hang up");
    const mid = Object.assign(new Error("Resend API 503", { cause: root }), { status: 503, code: "RESEND_DOWN" });
    const top = new Error("email delivery failed", { cause: mid });
    await h.logger.logEmailError("b1", "u1", "booking_reminder_client", top, { errorType: "RESEND_API_ERROR" });
    const row = await lastRow();
    expect(row).toMatchObject({ type: "EMAIL_ERROR", status: "ERROR" });
    expect(row.context).toEqual({ bookingId: "b1", userId: "u1", emailType: "booking_reminder_client", errorType: "RESEND_API_ERROR" });
    expect(row.error).toContain("Error: email delivery failed\n    at ");
    expect(row.error).toContain("Caused by: Error: Resend API 503");
    expect(row.error).toContain('"status":503');
    expect(row.error).toContain('"code":"RESEND_DOWN"');
    expect(row.error).toContain("Caused by: Error: socket hang up");
    expect(row.error!.indexOf("Resend API 503")).toBeLessThan(row.error!.indexOf("socket hang up"));
  });

  it("logCronRun: duration in ms and s, computed start/end times", async () => {
    await h.logger.logCronRun("cleanup-daily-rooms", 12, 3456, { roomsDeleted: 8, roomsAlreadyDeleted: 3, roomsFailed: 1 });
    const row = await lastRow();
    expect(row).toMatchObject({ type: "CRON_RUN", status: "SUCCESS", error: null });
    expect(row.message).toBe("Cron cleanup-daily-rooms completed: 12 items processed in 3456 ms");
    const c = row.context!;
    expect(c).toMatchObject({ cronType: "cleanup-daily-rooms", itemsProcessed: 12, duration: 3456, durationSeconds: 3.46, roomsDeleted: 8 });
    expect(Date.parse(c.endTime as string) - Date.parse(c.startTime as string)).toBe(3456);
  });

  it("logCronRun keeps the caller's startTime/endTime", async () => {
    await h.logger.logCronRun("cleanup_logs", 5, 1000, { startTime: "2024-01-01T00:00:00.000Z", endTime: "2024-01-01T00:00:01.000Z" });
    expect((await lastRow()).context).toMatchObject({ startTime: "2024-01-01T00:00:00.000Z", endTime: "2024-01-01T00:00:01.000Z", durationSeconds: 1 });
  });

  it("logCronError", async () => {
    await h.logger.logCronError("process-payouts", new Error("Database transaction failed"), { duration: 1234, itemsProcessed: 10 });
    const row = await lastRow();
    expect(row).toMatchObject({ type: "CRON_ERROR", status: "ERROR", message: "Cron process-payouts failed" });
    expect(row.context).toEqual({ cronType: "process-payouts", duration: 1234, itemsProcessed: 10 });
    expect(row.error).toContain("Database transaction failed");
  });

  const cases: [string, () => Promise<void>, string, string, string, Record<string, unknown>][] = [
    ["logDailyRoomDeleted", () => h.logger.logDailyRoomDeleted("room-abc", "b2", { deletedBy: "cron_job" }), "DAILY_ROOM_DELETED", "SUCCESS", "Daily room room-abc deleted for booking b2", { roomId: "room-abc", bookingId: "b2", deletedBy: "cron_job" }],
    ["logDailyRoomError", () => h.logger.logDailyRoomError("room-x", "b3", new Error("Room not found"), { operation: "delete" }), "DAILY_ROOM_ERROR", "ERROR", "Daily room room-x delete failed for booking b3", { roomId: "room-x", bookingId: "b3", operation: "delete" }],
    ["logDailyRoomCreated", () => h.logger.logDailyRoomCreated("call-b4", "b4", { privacy: "private" }), "DAILY_ROOM_CREATED", "SUCCESS", "Daily room call-b4 created for booking b4", { roomId: "call-b4", bookingId: "b4", privacy: "private" }],
    ["logBookingCreated", () => h.logger.logBookingCreated("b5", "u5", { amount: 50, currency: "EUR" }), "BOOKING_CREATED", "SUCCESS", "Booking b5 created by user u5", { bookingId: "b5", userId: "u5", amount: 50, currency: "EUR" }],
    ["logBookingError", () => h.logger.logBookingError("u6", new Error("slot taken"), { offerId: "o6" }), "BOOKING_ERROR", "ERROR", "Booking failed for user u6", { userId: "u6", offerId: "o6" }],
    ["logPaymentSuccess", () => h.logger.logPaymentSuccess("p7", "b7", 99.5, "EUR", { stripePaymentIntentId: "pi_7" }), "PAYMENT_SUCCESS", "SUCCESS", "Payment p7 of 99.5 EUR succeeded for booking b7", { paymentId: "p7", bookingId: "b7", amount: 99.5, currency: "EUR", stripePaymentIntentId: "pi_7" }],
    ["logPaymentError", () => h.logger.logPaymentError("b8", new Error("card declined")), "PAYMENT_ERROR", "ERROR", "Payment failed for booking b8", { bookingId: "b8" }],
    ["logPaymentRefund", () => h.logger.logPaymentRefund("p9", "b9", 20, "USD"), "PAYMENT_REFUND", "SUCCESS", "Payment p9 refunded: 20 USD for booking b9", { paymentId: "p9", bookingId: "b9", amount: 20, currency: "USD" }],
    ["logPayoutSuccess", () => h.logger.logPayoutSuccess("po1", "cr1", 120, "EUR"), "PAYOUT_SUCCESS", "SUCCESS", "Payout po1 of 120 EUR paid to creator cr1", { payoutId: "po1", creatorId: "cr1", amount: 120, currency: "EUR" }],
    ["logPayoutError", () => h.logger.logPayoutError(null, "cr2", new Error("Insufficient balance")), "PAYOUT_ERROR", "ERROR", "Payout (not created) failed for creator cr2", { payoutId: null, creatorId: "cr2" }],
    ["logStripeWebhook", () => h.logger.logStripeWebhook("payment_intent.succeeded", "evt_1"), "STRIPE_WEBHOOK", "SUCCESS", "Stripe webhook payment_intent.succeeded (evt_1) processed", { eventType: "payment_intent.succeeded", eventId: "evt_1" }],
    ["logStripeWebhookError", () => h.logger.logStripeWebhookError("charge.refunded", "evt_2", new Error("bad sig")), "STRIPE_WEBHOOK_ERROR", "ERROR", "Stripe webhook charge.refunded (evt_2) failed", { eventType: "charge.refunded", eventId: "evt_2" }],
    ["logNotificationSent", () => h.logger.logNotificationSent("u10", "push"), "NOTIFICATION_SENT", "SUCCESS", "Notification push sent to user u10", { userId: "u10", notificationType: "push" }],
    ["logNotificationError", () => h.logger.logNotificationError("u11", "sms", new Error("no number")), "NOTIFICATION_ERROR", "ERROR", "Notification sms failed for user u11", { userId: "u11", notificationType: "sms" }],
    ["logSystemError", () => h.logger.logSystemError("Redis connection lost", new Error("ECONNRESET"), { component: "worker" }), "SYSTEM_ERROR", "ERROR", "Redis connection lost", { component: "worker" }],
    ["logApiError", () => h.logger.logApiError("/v1/payment_intents", new Error("500"), { method: "POST" }), "API_ERROR", "ERROR", "API call to /v1/payment_intents failed", { endpoint: "/v1/payment_intents", method: "POST" }],
    ["logSuccess", () => h.logger.logSuccess(LogType.NOTIFICATION_SENT, "Push notification envoyée avec succès", { userId: "user123" }), "NOTIFICATION_SENT", "SUCCESS", "Push notification envoyée avec succès", { userId: "user123" }],
    ["logError", () => h.logger.logError(LogType.API_ERROR, "Échec de l'appel à l'API Stripe", new Error("boom"), { statusCode: 500 }), "API_ERROR", "ERROR", "Échec de l'appel à l'API Stripe", { statusCode: 500 }],
  ];
  it.each(cases)("%s", async (_name, call, type, status, message, context) => {
    await call();
    const row = await lastRow();
    expect(row).toMatchObject({ type, status, message });
    expect(row.context).toEqual(context);
    if (status === "ERROR") expect(row.error).toMatch(/^Error: .+\n {4}at /);
    else expect(row.error).toBeNull();
  });

  it("arguments win over context keys of the same name", async () => {
    await h.logger.logEmailSent("real-booking", "real-user", "x", { bookingId: "forged" });
    expect((await lastRow()).context).toMatchObject({ bookingId: "real-booking" });
  });
});

describe("thrown values, secrets and weird contexts", () => {
  it("serializes thrown non-Errors", async () => {
    await h.logger.logCronError("a", "plain string failure");
    expect((await lastRow()).error).toBe("plain string failure");
    await h.logger.logCronError("a", { code: 42, reason: "nope" });
    expect((await lastRow()).error).toBe('{"code":42,"reason":"nope"}');
    await h.logger.logCronError("a", undefined);
    expect((await lastRow()).error).toBe("undefined");
    await h.logger.logCronError("a", 12n);
    expect((await lastRow()).error).toBe("12");
  });

  it("redacts secrets recursively, case-insensitively, in context and in error props", async () => {
    const err = Object.assign(new Error("401"), { config: { headers: { Authorization: "Bearer sk_live_x" } } });
    await h.logger.logApiError("/x", err, {
      password: "hunter2",
      nested: { API_KEY: "k", list: [{ refreshToken: "t", keep: 1 }], Cookie: "c", privateKey: "pk", dbCredentials: { u: 1 } },
      stripeSecretKey: "sk",
      keep: "visible",
    });
    const row = await lastRow();
    expect(row.context).toEqual({
      endpoint: "/x",
      password: "[REDACTED]",
      nested: { API_KEY: "[REDACTED]", list: [{ refreshToken: "[REDACTED]", keep: 1 }], Cookie: "[REDACTED]", privateKey: "[REDACTED]", dbCredentials: "[REDACTED]" },
      stripeSecretKey: "[REDACTED]",
      keep: "visible",
    });
    expect(row.error).not.toContain("sk_live_x");
    expect(row.error).toContain('"Authorization":"[REDACTED]"');
  });

  it("stores weird context values instead of failing the write", async () => {
    const cyclic: Record<string, unknown> = { name: "loop" };
    cyclic.self = cyclic;
    const throwing = Object.defineProperty({}, "boom", { enumerable: true, get: () => { throw new Error("getter"); } });
    await h.logger.logSystemError("weird", new Error("x"), {
      when: new Date("2024-12-31T14:30:00Z"),
      big: 2n ** 70n,
      err: new TypeError("inner"),
      cyclic,
      nan: Number.NaN,
      fn: () => 1,
      undef: undefined,
      nul: "a\u0000b",
      lone: "x\uD800y",
      map: new Map([["k", 1]]),
      set: new Set([1, 2]),
      buf: Buffer.from("abc"),
      throwing,
    });
    const row = await lastRow();
    expect(row.context).toEqual({
      when: "2024-12-31T14:30:00.000Z",
      big: "1180591620717411303424",
      err: { name: "TypeError", message: "inner" },
      cyclic: { name: "loop", self: "[Circular]" },
      nan: "NaN",
      nul: "a\uFFFDb",
      lone: "x\uFFFDy",
      map: { k: 1 },
      set: [1, 2],
      buf: "[Buffer 3 bytes]",
      throwing: { boom: "[Unreadable]" },
    });
  });
});
