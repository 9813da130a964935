import type { Reporter } from "../report";
import type { GroupCommitWriter } from "./group-commit";
import { SpoolReplayer } from "./replay";
import { describeWriteError } from "./pg-errors";
import type { StoredRow } from "./row";
import { Spool, type SpoolTicket } from "./spool";

/** What a keeper needs: the spool directory (none: rows that cannot wait are dropped to stderr). */
export interface SpoolKeeperOptions {
  dir: string | undefined;
  leaseMs: number;
  report: Reporter;
  /** The writer's memory bound: above half of it, the spool file is not retired yet. */
  maxBuffered: number;
}

/**
 * Where audit rows go when PostgreSQL cannot take them — the spool on disk, else stderr — and when
 * a spool file is retired: deleted once its rows are committed, or handed to the replayer.
 */
export class SpoolKeeper {
  readonly spool: Spool | undefined;
  readonly counts = { spooled: 0, dropped: 0 };
  private writer: GroupCommitWriter | undefined;
  private replayer: SpoolReplayer | undefined;
  private overflowing = false;
  private sealing = false;
  private sealAgain = false;
  private stopped = false;

  constructor(private readonly options: SpoolKeeperOptions) {
    const { dir, leaseMs } = options;
    const lease = { staleMs: leaseMs, refreshMs: Math.max(100, Math.floor(leaseMs / 6)) };
    this.spool = dir ? new Spool(dir, lease, () => this.retire()) : undefined;
  }

  /** Binds the writer whose rows are kept; returns the replayer of spooled rows (none without a spool). */
  attach(writer: GroupCommitWriter): SpoolReplayer | undefined {
    this.writer = writer;
    this.replayer = this.spool ? new SpoolReplayer(this.spool, writer, this.options.report) : undefined;
    return this.replayer;
  }

  /** Rows the writer cannot hold: spooled, or dropped to stderr when there is no spool or it fails. */
  async overflow(rows: StoredRow[], reason: string): Promise<void> {
    const { spool, options: { report } } = this;
    if (!this.overflowing) {
      this.overflowing = true;
      report.error("buffer-full", `${reason}: ${spool ? `spooling rows to ${spool.dir}` : "spoolDir is false, rows are dropped to the process log"}`);
    }
    if (spool) {
      try {
        await spool.append(rows, false);
        this.counts.spooled += rows.length;
        this.retire(); // PostgreSQL may be answering already: no later commit would hand it over
        return;
      } catch (error) {
        report.error("spool-failed", `could not spool ${rows.length} rows to ${spool.dir}`, { cause: error });
      }
    }
    this.counts.dropped += rows.length;
    report.error("rows-dropped", `${rows.length} audit rows dropped (${reason})`, { rows, printRows: true });
  }

  /** Makes held rows durable on disk so their callers can be released (the writer's `persist`). */
  async persist(spool: Spool, rows: StoredRow[]): Promise<SpoolTicket> {
    try {
      const ticket = await spool.append(rows, true);
      this.counts.spooled += rows.length;
      return ticket;
    } catch (error) {
      this.options.report.error("spool-failed", `could not spool ${rows.length} rows to ${spool.dir}; their callers wait for PostgreSQL`, { cause: error });
      throw error;
    }
  }

  /** A row PostgreSQL refused for its own values: counted dropped and printed. */
  rejected(row: StoredRow, error: unknown): void {
    this.counts.dropped++;
    this.options.report.error("row-rejected", `PostgreSQL refused an audit row: ${describeWriteError(error)}`, { cause: error, rows: [row], printRows: true });
  }

  /** A flush committed: once the backlog is small again, overflow is over and the spool file may retire. */
  committed(): void {
    if (this.writer && this.writer.buffered > this.options.maxBuffered / 2) return;
    this.overflowing = false;
    this.retire();
  }

  /**
   * Spooled during an outage and the database is back: once every row the file shares with memory
   * is committed, delete it, or (it has rows only on disk) hand it to the replayer. Runs after each
   * commit and when the last held row settles; a call during a seal in progress runs one more.
   */
  retire(): void {
    const { spool, replayer, writer } = this;
    if (!spool || !replayer || !writer || !spool.hasOpenFile || this.stopped) return;
    if (writer.degraded || writer.buffered > this.options.maxBuffered / 2) return;
    if (this.sealing) {
      this.sealAgain = true;
      return;
    }
    this.sealing = true;
    this.sealAgain = false;
    spool
      .seal(true)
      .then((handedOver) => handedOver && replayer.kick())
      .catch((error: unknown) => this.options.report.error("spool-failed", `could not seal ${spool.dir}`, { cause: error }))
      .finally(() => {
        this.sealing = false;
        if (this.sealAgain) this.retire();
      });
  }

  /** A row logged after close(): written to the spool synchronously, else dropped to stderr. */
  afterClose(row: StoredRow): Promise<void> {
    let saved = false;
    if (this.spool) {
      try {
        this.spool.writeSegmentSync([row]);
        this.counts.spooled++;
        saved = true;
      } catch (error) {
        this.options.report.error("spool-failed", `could not spool a row logged after close()`, { cause: error });
      }
    }
    if (!saved) this.counts.dropped++;
    this.options.report.error("closed", saved ? "audit row logged after close(): spooled" : "audit row logged after close(): dropped", { rows: [row], printRows: !saved });
    return Promise.resolve();
  }

  /** At process exit without close(): the rows only in memory go to the spool, else to the process log. */
  saveSync(rows: StoredRow[]): void {
    this.spool?.sealSync();
    if (rows.length === 0) return;
    if (this.spool) {
      try {
        this.spool.writeSegmentSync(rows);
        return;
      } catch {
        // fall through to the process log (written synchronously: the process is exiting)
      }
    }
    this.options.report.error("rows-dropped", `process exiting with ${rows.length} unwritten audit rows (close() not called)`, { rows, printRows: true });
  }

  /** Stops retiring spool files (the logger is closing: close() seals what is left itself). */
  stop(): void {
    this.stopped = true;
  }
}
