// What a run on a multi-server Redis delivers: reminders of bookings due now and ad-hoc emails,
// through the real email-worker process and the producer, counted at the Resend stand-in.
import type { ResendStandin } from "@callastar/standins";
import { seedBooking, type TestDatabase } from "@callastar/testing";
import type { Producer } from "@callastar/producer";

/** Seeds `count` confirmed bookings whose reminders are due now; returns their ids. */
export async function seedDueBookings(t: TestDatabase, count: number, leadMinutes = 15): Promise<string[]> {
  const callDateTime = new Date(Date.now() + leadMinutes * 60_000);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await seedBooking(t, { callDateTime, label: `topo${i}` })).bookingId);
  return ids;
}

/** An ad-hoc email with idempotency key `key`. */
export const adhocEmail = (key: string) => ({
  template: "payment_received" as const,
  props: { recipientName: "Fan", amount: 1000, currency: "EUR" },
  to: `${key.replace(/[^a-z0-9]/gi, "")}@example.com`,
  idempotencyKey: key,
});

/** Schedules each booking's reminder through the producer. */
export async function scheduleReminders(producer: Producer, bookingIds: readonly string[], leadMinutes = 15): Promise<void> {
  const callDateTime = new Date(Date.now() + leadMinutes * 60_000);
  for (const bookingId of bookingIds) await producer.scheduleBookingReminder({ bookingId, callDateTime });
}

/**
 * How many times the stand-in accepted an email for each recipient: every email of a run has its
 * own (a booking's client and creator, one address per ad-hoc email), and a batch request's
 * idempotency key names the request, not its emails.
 */
export function deliveriesPerRecipient(resend: ResendStandin): Map<string, number> {
  const perTo = new Map<string, number>();
  for (const d of resend.deliveries) for (const to of d.to) perTo.set(to, (perTo.get(to) ?? 0) + 1);
  return perTo;
}
