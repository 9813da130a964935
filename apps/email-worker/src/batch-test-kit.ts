// Shared by the batch sender's tests: due bookings whose reminders are queued (rendered into
// "PendingEmail", nothing sent), and the states those tests wait for.
import { emailBatch, pendingEmail } from "@callastar/db";
import type { MailTransport } from "@callastar/emails";
import type { AuditLogger } from "@callastar/audit-log";
import type { ResendStandin } from "@callastar/standins";
import { seedBooking, type SeededBooking, type TestDatabase } from "@callastar/testing";
import { processBookingReminder } from "./handlers/booking-reminder";
import { createMailer } from "./mailer";
import { noPacing } from "./send-pacer";

const LEAD_MS = 15 * 60_000;
export { noPacing };

/** `n` CONFIRMED bookings whose call starts one lead time from now. */
export const seedDue = (t: TestDatabase, n: number, label: string): Promise<SeededBooking[]> =>
  Promise.all(Array.from({ length: n }, (_, i) => seedBooking(t, { callDateTime: new Date(Date.now() + LEAD_MS), label: `${label}${i}x${Date.now()}` })));

/** Runs each booking's reminder job: both emails rendered and queued for the batch sender, nothing sent. */
export async function queueReminders(deps: { t: TestDatabase; logger: AuditLogger; transport: MailTransport }, bookings: readonly SeededBooking[]): Promise<void> {
  const { t, logger } = deps;
  const mailer = createMailer({ db: t, transport: deps.transport, pacer: noPacing, from: "Call a Star <noreply@callastar.test>" });
  for (const b of bookings) {
    const result = await processBookingReminder(
      { db: t, logger, mailer, appUrl: "https://app.test", leadMs: LEAD_MS },
      { bookingId: b.bookingId },
      { id: `r-${b.bookingId}`, name: "booking-reminder", attemptsMade: 0, opts: { attempts: 3 }, moveToDelayed: async () => {} },
    );
    if (result.status !== "queued") throw new Error(`reminder of ${b.bookingId} not queued: ${JSON.stringify(result)}`);
  }
}

/** The idempotency keys of the bookings' two reminder emails. */
export const reminderKeys = (bookings: readonly SeededBooking[]) =>
  bookings.flatMap((b) => [`booking_reminder:${b.bookingId}:client`, `booking_reminder:${b.bookingId}:creator`]);

/** Nothing queued, no batch open: every outcome is recorded. */
export const batchesDrained = async (t: TestDatabase) =>
  (await t.db.select().from(pendingEmail)).length === 0 && (await t.db.select().from(emailBatch)).length === 0;

/** How many emails the stand-in accepted per recipient. */
export function deliveriesPerRecipient(resend: ResendStandin): Map<string, number> {
  const counts = new Map<string, number>();
  for (const d of resend.deliveries) counts.set(String(d.to), (counts.get(String(d.to)) ?? 0) + 1);
  return counts;
}
