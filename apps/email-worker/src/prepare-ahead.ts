// Reminders are prepared before they fall due: every few seconds this loop finds the CONFIRMED, not yet
// reminded bookings due within the next `aheadMs`, renders their two emails and queues them in
// "PendingEmail" (the reminder job's own statement: marked and queued at once). The batch sender
// gathers them into full batches and releases each exactly at its due time, never before, and
// re-checks every member then (a call cancelled or moved meanwhile is not reminded from the old
// batch). A booking prepared here has its reminder job removed: at the due second a thousand jobs
// that would only find their booking marked took the CPU and the PostgreSQL time the batch sender
// needed then. A booking this loop did not get to keeps its job, which does the work at the due time;
// a call moved later gets a new job from the main app (rescheduleBookingReminder), and the sweep
// gives any CONFIRMED booking not reminded its job again.
import type { Queue } from "bullmq";
import { jobIds } from "@callastar/queues";
import { findDueReminders } from "./booking-query";
import { prepareReminder, type ReminderDeps } from "./handlers/booking-reminder";

export interface PrepareAheadOptions {
  deps: ReminderDeps;
  /** The reminders queue: the job of a booking prepared here is removed from it. */
  reminders: Pick<Queue, "remove">;
  aheadMs: number;
  /**
   * Pause between two passes (default 5 s, at most a quarter of `aheadMs`: a booking is prepared
   * well before it falls due, and an idle worker runs one statement every 5 s, not every second).
   */
  pollMs?: number;
  log?: (line: string) => void;
}

/** How many bookings one copy prepares at once (rendering is CPU; the statements overlap). */
const IN_FLIGHT = 4;

/** Starts the loop; `stop()` ends it after the bookings in hand. */
export function startPrepareAhead(options: PrepareAheadOptions): { stop(): Promise<void> } {
  const { deps, aheadMs } = options;
  const pollMs = options.pollMs ?? Math.max(100, Math.min(5_000, aheadMs / 4));
  const log = options.log ?? (() => {});
  let running = true;
  let wake: (() => void) | undefined;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const loop = (async () => {
    while (running) {
      try {
        const now = Date.now();
        // Due after now (a booking already due is its job's) and within the horizon.
        const due = await findDueReminders(deps.db, new Date(now + deps.leadMs + 1), new Date(now + deps.leadMs + aheadMs));
        // Shuffled: copies that run this pass together mostly take different bookings first.
        const ids = due.map((d) => d.id).sort(() => Math.random() - 0.5);
        await Promise.all(
          Array.from({ length: IN_FLIGHT }, async () => {
            for (let id = ids.pop(); id !== undefined && running; id = ids.pop()) {
              try {
                const result = await prepareReminder(deps, id);
                // Queued and marked: the job would find nothing to do (one running now keeps its lock and is left alone).
                if (result.status === "queued") await options.reminders.remove(jobIds.reminder(id));
              } catch (error) {
                // Not queued: its job does the work at the due time. Queued but the job not removed: it finds the booking marked.
                log(`prepare ahead: ${id}: ${error instanceof Error ? error.message : String(error)}`);
              }
            }
          }),
        );
      } catch (error) {
        log(`prepare ahead: ${error instanceof Error ? error.message : String(error)}; retrying`);
      }
      if (running) await pause(pollMs);
    }
  })();
  return {
    async stop() {
      running = false;
      wake?.();
      await loop;
    },
  };
}
