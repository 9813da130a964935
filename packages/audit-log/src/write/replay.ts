// Replays spooled rows into PostgreSQL through the same group-commit writer, one chunk at a time so
// a large spool never fills memory. A file is deleted only once every row in it is committed;
// an interrupted replay gives the file back, and ON CONFLICT (id) makes the next replay harmless.
// Besides kick(), a pass runs every lease period (a sibling that died leaves its files to whoever
// is alive) and when a file held by another owner would turn stale: readdir only, never per row.
import type { Reporter } from "../report";
import type { GroupCommitWriter } from "./group-commit";
import type { Spool } from "./spool";

const CHUNK = 1000;

/** Claims and replays spool files; `kick()` is cheap to call whenever replay may be useful. */
export class SpoolReplayer {
  private running: Promise<void> | undefined;
  private again = false;
  private stopping = false;
  private timer: NodeJS.Timeout | undefined;
  private recheckAt: number | undefined;
  private period: number | undefined;
  /** Rows from the spool that are now committed. */
  replayed = 0;

  constructor(
    private readonly spool: Spool,
    private readonly writer: GroupCommitWriter,
    private readonly report: Reporter,
  ) {}

  /** Starts a replay pass (or queues one more pass if one is running). */
  kick(): void {
    if (this.stopping) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
  }

  /** Scans every `periodMs` as well, until stop(). */
  startPeriodic(periodMs: number): void {
    this.period = periodMs;
    this.arm(Date.now() + periodMs);
  }

  /** Resolves when the current pass, if any, has finished. */
  idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  /** Stops after the chunk in progress; the writer's abandon() ends a chunk stuck in an outage. */
  stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    return this.idle();
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.pass();
      } catch (error) {
        this.report.error("replay-failed", `replaying spool ${this.spool.dir} failed; files are kept`, { cause: error });
        return;
      }
    } while (this.again && !this.stopping);
  }

  // One timer: the next periodic pass, or sooner when a foreign file's lease would run out.
  private arm(at: number): void {
    if (this.stopping || (this.timer && this.recheckAt !== undefined && this.recheckAt <= at)) return;
    if (this.timer) clearTimeout(this.timer);
    this.recheckAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.recheckAt = undefined;
      this.kick();
      if (this.period !== undefined) this.arm(Date.now() + this.period);
    }, Math.max(0, at - Date.now()) + 10);
    this.timer.unref(); // replay is opportunistic; it must not keep a finished process alive
  }

  private async pass(): Promise<void> {
    const { files, recheckAt } = await this.spool.claim();
    if (recheckAt !== undefined) this.arm(recheckAt);
    let done = 0;
    try {
      for (const file of files) {
        if (this.stopping || !(await this.replayFile(file))) break;
        await this.spool.remove(file);
        done++;
      }
    } finally {
      // Interrupted or failed: give the rest back now rather than holding their leases while alive.
      for (const rest of files.slice(done)) await this.spool.release(rest).catch(() => {});
    }
  }

  private async replayFile(file: string): Promise<boolean> {
    let rows = 0;
    const onBadLine = (line: string) =>
      this.report.error("spool-corrupt-line", `unreadable line in ${file} (torn write?), skipped: ${line.slice(0, 2000)}`);
    for await (const chunk of this.spool.read(file, CHUNK, onBadLine)) {
      if (this.stopping) return false;
      if (!(await this.writer.submitAll(chunk))) return false;
      this.replayed += chunk.length;
      rows += chunk.length;
    }
    if (rows) this.report.info(`replayed ${rows} spooled audit rows from ${file}`);
    return true;
  }
}
