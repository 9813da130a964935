// A reminder is due at a precise moment, and the first ones after a (re)start used to arrive
// 0.4–1 s late: the process spent that on its first React render (react-dom loads lazily), on
// compiling each reminder template's render-cache shape, on opening and preparing its database
// connections, and on running cold code. Doing that before the worker takes jobs moves the cost
// out of the first reminders.
import { warmUpEmailPath, type EmailPayload } from "@callastar/emails";
import type { DbHandle } from "@callastar/db";
import { loadReminderBooking } from "./booking-query";

// ~100 ms at start; TurboFan had compiled the hot path within a few hundred sends (4 shapes × 75).
const WARM_UP_ROUNDS = 75;

// The render cache compiles one entry per template and set of present fields: with and without
// the optional call title covers every reminder the handler builds.
function reminderSamples(): EmailPayload[] {
  const common = { callDateTime: new Date().toISOString(), bookingUrl: "https://warm-up.invalid/bookings/warm-up", timeZone: "UTC" };
  const titles = [{ callTitle: "Warm-up call" }, {}];
  return titles.flatMap((title) => [
    { template: "booking_reminder_client", props: { ...common, ...title, recipientName: "Warm Up", creatorName: "Warm Up" } },
    { template: "booking_reminder_creator", props: { ...common, ...title, recipientName: "Warm Up", clientName: "Warm Up" } },
  ]);
}

/**
 * Compiles each reminder shape and JIT-warms the render and send path (to a loopback server, see
 * warmUpEmailPath), then opens, and prepares the reminder query on, `connections` connections.
 */
export async function warmUpEmailWorker(db: DbHandle, connections: number, viaResend: boolean): Promise<void> {
  await warmUpEmailPath(reminderSamples(), WARM_UP_ROUNDS, viaResend);
  // PostgreSQL plans a prepared statement afresh for its first five executions on a connection.
  for (let round = 0; round < 6; round++) {
    await Promise.all(Array.from({ length: connections }, () => loadReminderBooking(db, "warm-up-no-such-booking")));
  }
}
