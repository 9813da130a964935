// Reminders are prepared before they fall due: every second this loop finds the CONFIRMED, not yet
// reminded bookings due within the next `aheadMs`, renders their two emails and queues them in
// "PendingEmail" (the reminder job's own statement: marked and queued at once). The batch sender
// gathers them into full batches and releases each exactly at its due time, never before, and
// re-checks every member then (a call cancelled or moved meanwhile is not reminded from the old
// batch). The reminder job still fires at the due time: it finds the booking marked and does
// nothing, or does the work itself when this loop did not get to it.
import { findDueReminders } from "./booking-query";
import { prepareReminder, type ReminderDeps } from "./handlers/booking-reminder";

export interface PrepareAheadOptions {
  deps: ReminderDeps;
  aheadMs: number;
  /** Pause between two passes. */
  pollMs?: number;
  log?: (line: string) => void;
}

/** How many bookings one copy prepares at once (rendering is CPU; the statements overlap). */
const IN_FLIGHT = 4;

/** Starts the loop; `stop()` ends it after the bookings in hand. */
export function startPrepareAhead(options: PrepareAheadOptions): { stop(): Promise<void> } {
  const { deps, aheadMs } = options;
  const pollMs = options.pollMs ?? 1_000;
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
              await prepareReminder(deps, id).catch((error: unknown) => {
                // Its job does the work at the due time instead.
                log(`prepare ahead: ${id}: ${error instanceof Error ? error.message : String(error)}`);
              });
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
