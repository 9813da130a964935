import { auditRows } from "@callastar/audit-log";
import { idempotencyKeys } from "@callastar/queues";
import { createTestDatabase, seedBooking, type TestDatabase } from "@callastar/testing";
import { loadReminderBooking } from "./booking-query";
import { recordDeliveries } from "./delivery-statement";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.drop());

it("loads a reminder's booking with the delivery record of each of its two emails", async () => {
  const b = await seedBooking(t, { callDateTime: new Date(Date.now() + 3_600_000) });
  const fresh = await loadReminderBooking(t, b.bookingId);
  expect(fresh).toMatchObject({ id: b.bookingId, clientDelivery: null, creatorDelivery: null });

  const key = idempotencyKeys.reminderEmail(b.bookingId, "client");
  const row = auditRows.logEmailSent(b.bookingId, fresh!.client.id, "booking_reminder_client", { idempotencyKey: key });
  await recordDeliveries(t.sql, [{ record: { idempotencyKey: key, emailType: "booking_reminder_client", bookingId: b.bookingId, userId: fresh!.client.id, recipientEmail: fresh!.client.email, providerMessageId: "msg-1" }, auditRow: row }]);

  const after = await loadReminderBooking(t, b.bookingId);
  expect(after!.clientDelivery).toMatchObject({ id: "msg-1" });
  expect(after!.clientDelivery!.createdAt).toBeInstanceOf(Date);
  expect(after!.creatorDelivery).toBeNull();
  expect(await loadReminderBooking(t, "no-such-booking")).toBeNull();
});
