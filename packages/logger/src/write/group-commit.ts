// Group commit: while fewer than `maxInFlight` flushes run, one more takes everything pending as ONE
// statement (no timer, so throughput grows with concurrency). A caller is released when its row
// commits or, past ackTimeoutMs, once it is in the fsync'd spool — never while it is only in memory.
import { classifyWriteError, isUniqueViolation } from "./pg-errors";
import type { StoredRow } from "./row";

/** How the writer reaches the outside world; none of these may throw. */
export interface WriterHooks {
  /**
   * Writes rows in one statement. `mayExist` is true when some row may already be committed (an
   * earlier attempt's outcome is unknown, or it was replayed from the spool): the write must then
   * skip existing ids; otherwise it may take the cheaper path that fails on them.
   */
  write(rows: StoredRow[], mayExist: boolean): Promise<void>;
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
  /** Statements in flight at once (each needs a pool connection); 1 = strictly one at a time. */
  maxInFlight: number;
  maxBuffered: number;
  ackTimeoutMs: number;
  backoffMinMs: number;
  backoffMaxMs: number;
}

interface Entry {
  row: StoredRow;
  seq: number;
  /** Already sent once (or replayed): it may be committed even though no success was seen. */
  sent: boolean;
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
  private pending: Entry[] = [];
  private batches = new Set<Entry[]>();
  private scheduled = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private attempt = 0;
  private nextSeq = 0;
  private waiters: { seq: number; done: (ok: boolean) => void }[] = [];
  private abandoned = false;
  private urgent = false;
  private toPersist: Entry[] = [];
  private persistScheduled = false;
  /** Counters exported through the logger's metrics(). */
  readonly counts = { written: 0, flushes: 0, failedFlushes: 0, rejected: 0 };
  degraded = false;

  constructor(
    private readonly hooks: WriterHooks,
    private readonly options: WriterOptions,
  ) {}

  /** Rows held in memory (pending + in flight). */
  get buffered(): number {
    return this.pending.length + this.inFlightCount;
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  get inFlightCount(): number {
    let n = 0;
    for (const batch of this.batches) n += batch.length;
    return n;
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
    const all = rows.map(
      (row) =>
        new Promise<boolean>((resolve) => {
          const entry = this.enqueue(row, resolve);
          entry.sent = true;
          entry.persisted = true; // its claimed file is given back if the replay is cut short
        }),
    );
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
        if (timer) clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(ok);
      };
      this.waiters.push(waiter);
    });
  }

  /** Shutdown: retry quickly instead of waiting out a long backoff. */
  expedite(): void {
    this.urgent = true;
    if (this.retryTimer) {
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
    }
    this.schedule();
  }

  /**
   * Stops writing. Returns the rows not yet committed that exist only in memory, for the caller
   * to spool; their callers are released by `release()`, once the caller has saved them.
   */
  abandon(): AbandonedRows {
    this.abandoned = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const left = [...[...this.batches].flat(), ...this.pending].filter((e) => !e.rejected);
    this.batches.clear();
    this.pending = [];
    for (const entry of left) if (entry.timer) clearTimeout(entry.timer);
    for (const waiter of [...this.waiters]) waiter.done(false);
    return {
      unsaved: left.filter((e) => !e.persisted).map((e) => e.row),
      release: () => {
        for (const entry of left) this.release(entry, false);
      },
    };
  }

  private enqueue(row: StoredRow, settle: (done: boolean) => void): Entry {
    const entry: Entry = {
      row,
      seq: this.nextSeq++,
      sent: false,
      settle,
      timer: undefined,
      released: false,
      rejected: false,
      done: false,
      persisted: false,
      ticket: undefined,
    };
    this.pending.push(entry);
    this.schedule();
    return entry;
  }

  // Without a spool there is nowhere durable to put the row: the caller waits for the commit.
  private armAck(entry: Entry): void {
    if (!this.hooks.persist || !Number.isFinite(this.options.ackTimeoutMs)) return;
    entry.timer = setTimeout(() => this.persistLater(entry), this.options.ackTimeoutMs);
    entry.timer.unref();
  }

  // Timers that fire in the same turn (a burst of calls during an outage) share one spool write.
  private persistLater(entry: Entry): void {
    entry.timer = undefined;
    if (entry.released || this.abandoned) return;
    this.toPersist.push(entry);
    if (this.persistScheduled) return;
    this.persistScheduled = true;
    setImmediate(() => void this.persistNow());
  }

  private async persistNow(): Promise<void> {
    this.persistScheduled = false;
    const entries = this.toPersist.filter((e) => !e.released);
    this.toPersist = [];
    if (entries.length === 0 || this.abandoned) return;
    // A replayer in another process may write the spooled copy: from now on, skip existing ids.
    for (const entry of entries) entry.sent = true;
    let ticket: PersistTicket;
    try {
      ticket = await this.hooks.persist!(entries.map((e) => e.row));
    } catch {
      // Not durable (the hook reported why): the callers stay held; try the disk again later.
      for (const entry of entries) if (!entry.released && !this.abandoned) this.armAck(entry);
      return;
    }
    for (const entry of entries) {
      entry.persisted = true;
      entry.ticket = ticket;
      if (entry.done) ticket.settled();
      else this.release(entry, false);
    }
  }

  private release(entry: Entry, done: boolean): void {
    if (entry.timer) clearTimeout(entry.timer);
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
      while (this.canFlush()) void this.flushOnce();
    });
  }

  // While degraded, one statement at a time probes the database; otherwise up to maxInFlight.
  private canFlush(): boolean {
    const limit = this.degraded ? 1 : this.options.maxInFlight;
    return !this.retryTimer && !this.abandoned && this.pending.length > 0 && this.batches.size < limit;
  }

  private async flushOnce(): Promise<void> {
    const batch = this.pending.splice(0, this.options.maxBatch);
    this.batches.add(batch);
    let failure: { error: unknown } | undefined;
    try {
      await this.writeSplitting(batch);
    } catch (error) {
      failure = { error };
    }
    if (this.abandoned) return; // close() already took these rows for the spool
    this.batches.delete(batch);
    if (failure) {
      this.counts.failedFlushes++;
      // Back to pending in sequence order: oldest rows are retried first and flush() sequencing holds.
      this.pending = batch
        .filter((e) => !e.rejected)
        .concat(this.pending)
        .sort((a, b) => a.seq - b.seq);
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
        entry.done = true;
        entry.ticket?.settled();
        this.release(entry, true);
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

  // A statement refused because of one row's values must not block the others: bisect until the
  // bad rows are isolated, write the rest. Outage errors propagate and the whole batch is retried
  // (rows already committed by a half are no-ops then, thanks to ON CONFLICT DO NOTHING).
  private async writeSplitting(entries: Entry[]): Promise<void> {
    let mayExist = false;
    for (const entry of entries) {
      if (entry.sent) mayExist = true;
      entry.sent = true;
    }
    try {
      await this.hooks.write(entries.map((e) => e.row), mayExist);
    } catch (error) {
      // A first attempt that meets an existing id (the same row submitted twice): write it again,
      // skipping the ids that exist, rather than calling a committed row bad.
      if (!mayExist && isUniqueViolation(error)) return this.writeSplitting(entries);
      if (classifyWriteError(error) !== "row-data") throw error;
      if (entries.length === 1) {
        const entry = entries[0]!;
        entry.rejected = true;
        entry.done = true;
        entry.ticket?.settled();
        this.counts.rejected++;
        this.hooks.rejected(entry.row, error);
        this.release(entry, true);
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
    const base = Math.min(cap, backoffMinMs * 2 ** Math.min(this.attempt, 20));
    this.attempt++;
    const delay = base * (0.8 + Math.random() * 0.4); // jitter: N processes do not retry in lockstep
    if (this.retryTimer) return; // another failed batch already scheduled the retry
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.schedule();
    }, delay);
    // Held rows alone must not keep a process alive; shutdown goes through close() (or the exit hook).
    this.retryTimer.unref();
  }

  private oldestUnsettled(): number {
    let oldest = this.pending[0]?.seq ?? Number.POSITIVE_INFINITY;
    // Batches are cut from `pending` in sequence order, so a batch's first row is its oldest.
    for (const batch of this.batches) if (batch[0] && batch[0].seq < oldest) oldest = batch[0].seq;
    return oldest;
  }

  private notifyWaiters(): void {
    if (this.waiters.length === 0) return;
    const oldest = this.oldestUnsettled();
    for (const waiter of [...this.waiters]) if (waiter.seq < oldest) waiter.done(true);
  }
}
