// Group commit, graphile-worker style: one INSERT in flight carries every pending row; rows logged
// meanwhile wait for the next one. A caller is released when its row commits or, past ackTimeoutMs,
// once it is in the fsync'd spool — never while it is only in memory.
import { classifyWriteError } from "./pg-errors";
import type { StoredRow } from "./row";

/** How the writer reaches the outside world; none of these may throw. */
export interface WriterHooks {
  /** Writes rows in one statement that skips ids already present (retries and replays are no-ops). */
  write(rows: StoredRow[]): Promise<void>;
  /** Rows the writer cannot hold (buffer full, or stopped): spool them or report them dropped. */
  overflow(rows: StoredRow[], reason: string): Promise<void>;
  /** A row PostgreSQL refused for its own values; it is not retried. */
  rejected(row: StoredRow, error: unknown): void;
  /** Entering (error) or leaving (no error) the degraded state. */
  availability(up: boolean, error?: unknown): void;
  /** A flush committed; lets the owner replay spooled rows once the database is back. */
  committed?(): void;
  /**
   * Makes rows durable outside PostgreSQL (the fsync'd spool) so their callers can be released;
   * rejects (after reporting) if it cannot. Absent: callers are released only by a commit.
   */
  persist?(rows: StoredRow[]): Promise<PersistTicket>;
}

/** Persisted rows' receipt: the writer reports each one settled (committed or refused) in the database. */
interface PersistTicket {
  settled(): void;
}

/** What abandon() leaves: rows that exist only in memory, to save; then release() frees their callers. */
export interface AbandonedRows {
  unsaved: StoredRow[];
  release(): void;
}

export interface WriterOptions {
  maxBatch: number;
  maxBuffered: number;
  ackTimeoutMs: number;
  backoffMinMs: number;
  backoffMaxMs: number;
}

interface Entry {
  row: StoredRow;
  seq: number;
  settle: (done: boolean) => void;
  timer: NodeJS.Timeout | undefined;
  released: boolean;
  rejected: boolean;
  /** Committed or refused by PostgreSQL. */
  done: boolean;
  /** Also in the spool (or replayed from it): abandon() need not save it again. */
  persisted: boolean;
  ticket: PersistTicket | undefined;
}

/** Batches concurrent rows into single statements; holds and retries them through outages. */
export class GroupCommitWriter {
  // Both in submission order, inFlight older than pending: the oldest unsettled row is at the front.
  private pending: Entry[] = [];
  private inFlight: Entry[] = [];
  private scheduled = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private attempt = 0;
  private nextSeq = 0;
  private waiters: { seq: number; done: (ok: boolean) => void }[] = [];
  private abandoned = false;
  private urgent = false;
  /** Counters exported through the logger's metrics(). */
  readonly counts = { written: 0, flushes: 0, failedFlushes: 0, rejected: 0 };
  degraded = false;

  constructor(
    private readonly hooks: WriterHooks,
    private readonly options: WriterOptions,
  ) {}

  /** Rows held in memory (pending + in flight). */
  get buffered(): number {
    return this.pending.length + this.inFlight.length;
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  get inFlightCount(): number {
    return this.inFlight.length;
  }

  /** A caller's row: resolves once committed, or past ackTimeoutMs once it is also in the spool. */
  submit(row: StoredRow): Promise<void> {
    if (this.abandoned || this.buffered >= this.options.maxBuffered) {
      return this.hooks.overflow([row], this.abandoned ? "logger closed" : "memory buffer full");
    }
    return new Promise<void>((resolve) => this.armAck(this.enqueue(row, () => resolve())));
  }

  /** Rows replayed from the spool: true once all are committed (or rejected), false if abandoned. */
  submitAll(rows: StoredRow[]): Promise<boolean> {
    if (this.abandoned) return Promise.resolve(false);
    const all = rows.map((row) => new Promise<boolean>((resolve) => (this.enqueue(row, resolve).persisted = true)));
    return Promise.all(all).then((done) => done.every(Boolean));
  }

  /** Resolves true when every row submitted before the call is settled, false at the deadline. */
  flush(timeoutMs: number): Promise<boolean> {
    const seq = this.nextSeq - 1;
    if (this.oldestUnsettled() > seq) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const timer = Number.isFinite(timeoutMs) ? setTimeout(() => finish(false), timeoutMs) : undefined;
      const waiter = { seq, done: (ok: boolean) => finish(ok) };
      const finish = (ok: boolean) => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(ok);
      };
      this.waiters.push(waiter);
    });
  }

  /** Shutdown: retry quickly instead of waiting out a long backoff. */
  expedite(): void {
    this.urgent = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.schedule();
  }

  /**
   * Stops writing. Returns the rows not yet committed that exist only in memory, for the caller
   * to spool; their callers are released by `release()`, once the caller has saved them.
   */
  abandon(): AbandonedRows {
    this.abandoned = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const left = [...this.inFlight, ...this.pending].filter((e) => !e.rejected);
    this.inFlight = [];
    this.pending = [];
    for (const entry of left) clearTimeout(entry.timer);
    for (const waiter of [...this.waiters]) waiter.done(false);
    return {
      unsaved: left.filter((e) => !e.persisted).map((e) => e.row),
      release: () => {
        for (const entry of left) this.release(entry, false);
      },
    };
  }

  private enqueue(row: StoredRow, settle: (done: boolean) => void): Entry {
    const entry: Entry = { row, seq: this.nextSeq++, settle, timer: undefined, released: false, rejected: false, done: false, persisted: false, ticket: undefined };
    this.pending.push(entry);
    this.schedule();
    return entry;
  }

  // Without a spool there is nowhere durable to put the row: the caller waits for the commit.
  private armAck(entry: Entry): void {
    if (!this.hooks.persist || !Number.isFinite(this.options.ackTimeoutMs)) return;
    entry.timer = setTimeout(() => void this.persist(entry), this.options.ackTimeoutMs);
    entry.timer.unref();
  }

  // Timers due together share one write and fsync: the spool coalesces appends queued meanwhile.
  private async persist(entry: Entry): Promise<void> {
    entry.timer = undefined;
    if (entry.released || this.abandoned) return;
    let ticket: PersistTicket;
    try {
      ticket = await this.hooks.persist!([entry.row]);
    } catch {
      // Not durable (the hook reported why): the caller stays held; try the disk again later.
      if (!entry.released && !this.abandoned) this.armAck(entry);
      return;
    }
    entry.persisted = true;
    if (entry.done) ticket.settled(); // committed while the spool write ran
    else {
      entry.ticket = ticket;
      this.release(entry, false);
    }
  }

  private release(entry: Entry, done: boolean): void {
    clearTimeout(entry.timer);
    entry.timer = undefined;
    if (entry.released) return;
    entry.released = true;
    entry.settle(done);
  }

  // Cut in the check phase (setImmediate), not a microtask: rows pushed by I/O callbacks already due
  // join the same statement, and each statement has a fixed cost; a lone call is still not delayed.
  private schedule(): void {
    if (this.scheduled || !this.canFlush()) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.canFlush()) void this.flushOnce();
    });
  }

  private canFlush(): boolean {
    return !this.retryTimer && !this.abandoned && this.pending.length > 0 && this.inFlight.length === 0;
  }

  private async flushOnce(): Promise<void> {
    const batch = this.pending.splice(0, this.options.maxBatch);
    this.inFlight = batch;
    let failure: { error: unknown } | undefined;
    try {
      await this.writeSplitting(batch);
    } catch (error) {
      failure = { error };
    }
    if (this.abandoned) return; // close() already took these rows for the spool
    this.inFlight = [];
    if (failure) {
      this.counts.failedFlushes++;
      // Back to the front: oldest rows are retried first and flush() sequencing holds.
      this.pending = batch.filter((e) => !e.rejected).concat(this.pending);
      if (!this.degraded) {
        this.degraded = true;
        this.hooks.availability(false, failure.error);
      }
      this.scheduleRetry();
    } else {
      this.counts.flushes++;
      for (const entry of batch) {
        if (entry.rejected) continue;
        this.counts.written++;
        this.settled(entry);
      }
      this.attempt = 0;
      if (this.degraded) {
        this.degraded = false;
        this.hooks.availability(true);
      }
      this.hooks.committed?.();
      this.schedule();
    }
    this.notifyWaiters();
  }

  private settled(entry: Entry): void {
    entry.done = true;
    entry.ticket?.settled();
    entry.ticket = undefined;
    this.release(entry, true);
  }

  // A statement refused because of one row's values must not block the others: bisect until the
  // bad rows are isolated, write the rest. Outage errors propagate and the whole batch is retried
  // (rows already committed by a half are no-ops then, thanks to ON CONFLICT DO NOTHING).
  private async writeSplitting(entries: Entry[]): Promise<void> {
    try {
      await this.hooks.write(entries.map((e) => e.row));
    } catch (error) {
      if (classifyWriteError(error) !== "row-data") throw error;
      if (entries.length === 1) {
        const entry = entries[0]!;
        entry.rejected = true;
        this.counts.rejected++;
        this.hooks.rejected(entry.row, error);
        this.settled(entry);
        return;
      }
      const mid = entries.length >>> 1;
      await this.writeSplitting(entries.slice(0, mid));
      await this.writeSplitting(entries.slice(mid));
    }
  }

  private scheduleRetry(): void {
    const { backoffMinMs, backoffMaxMs } = this.options;
    const cap = this.urgent ? Math.min(backoffMaxMs, 200) : backoffMaxMs;
    const base = Math.min(cap, backoffMinMs * 2 ** Math.min(this.attempt++, 20));
    // Jitter: N processes do not retry in lockstep.
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.schedule();
    }, base * (0.8 + Math.random() * 0.4));
    // Held rows alone must not keep a process alive; shutdown goes through close() (or the exit hook).
    this.retryTimer.unref();
  }

  private oldestUnsettled(): number {
    return this.inFlight[0]?.seq ?? this.pending[0]?.seq ?? Number.POSITIVE_INFINITY;
  }

  private notifyWaiters(): void {
    const oldest = this.oldestUnsettled();
    for (const waiter of [...this.waiters]) if (waiter.seq < oldest) waiter.done(true);
  }
}
