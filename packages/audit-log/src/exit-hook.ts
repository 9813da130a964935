// Last line of defence for rows still held when a process exits without close(): on `exit`, only
// synchronous work runs, so each live logger spools its rows synchronously or prints them to fd 2.

/** Something that can save its held rows synchronously. */
export interface ExitSaver {
  saveSync(): void;
}

const live = new Set<ExitSaver>();
let installed = false;

/** Registers a logger for the exit hook (installed once per process). */
export function registerExitSaver(saver: ExitSaver): void {
  live.add(saver);
  if (installed) return;
  installed = true;
  process.once("exit", () => {
    for (const s of live) {
      try {
        s.saveSync();
      } catch {
        // Nothing more can be done at exit; saveSync already reported what it could.
      }
    }
  });
}

/** Unregisters a logger (after close()). */
export function unregisterExitSaver(saver: ExitSaver): void {
  live.delete(saver);
}
