import { once } from "node:events";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DbHandle, LogRow } from "@callastar/db";
import type { AuditLoggerError } from "./audit-logger-error";
import { readSpoolLeaseMs } from "./env";
import { registerExitSaver, unregisterExitSaver } from "./exit-hook";
import { cleanupOldLogsDetailed, type CleanupOptions, type CleanupResult } from "./queries/cleanup";
import { getLogStats, type LogStats, type LogStatsRange } from "./queries/log-stats";
import { getRecentLogs, type RecentLogsOptions } from "./queries/recent-logs";
import type { LogSink } from "@callastar/process-log/sink";
import { createReporter } from "./report";
import { createLogFunctions, type AuditLogFunctions } from "./spec-functions";
import { GroupCommitWriter } from "./write/group-commit";
import { insertRows } from "./write/insert-statement";
import { buildRowSafely, type RowInput, type StoredRow } from "./write/row";
import { SpoolKeeper } from "./write/spool-keeper";

/** Resolves true if `promise` settles before `deadline` aborts, false otherwise. */
const settledBefore = (promise: Promise<unknown>, deadline: AbortSignal): Promise<boolean> =>
  Promise.race([promise.then(() => true), once(deadline, "abort").then(() => false)]);

/** Options of createAuditLogger; only `db` is required. */
export interface AuditLoggerOptions {
  /** The database handle (from createDb); the logger uses its pool but never closes it. */
  db: DbHandle;
  /**
   * Where rows go once their callers are released without a commit (past ackTimeoutMs), when memory
   * is full, or at close() with PostgreSQL down; replayed by any logger sharing the directory.
   * Default: {@link defaultSpoolDir}. `false`: no disk at all, so a caller waits for its commit.
   */
  spoolDir?: string | false;
  /** A spool file whose owner has not refreshed it for this long is taken over (default LOG_SPOOL_LEASE_MS or 30 s). */
  spoolLeaseMs?: number;
  /** Rows per INSERT statement (default 2000). */
  maxBatch?: number;
  /** Rows held in memory during an outage before spooling/dropping (default 100_000). */
  maxBuffered?: number;
  /** A call not committed after this long resolves once its row is in the fsync'd spool (default 2000 ms). */
  ackTimeoutMs?: number;
  /** close() gives PostgreSQL this long before spooling what is left (default 5000 ms). */
  closeTimeoutMs?: number;
  /** Retry backoff bounds while PostgreSQL is unreachable (default 50 ms → 5 s). */
  backoffMinMs?: number;
  backoffMaxMs?: number;
  /** Called for every problem (also always written to the process log); must not throw. */
  onError?: (error: AuditLoggerError) => void;
  /** The app's process log for the logger's own warnings (default: a JSON logger on stdout). */
  log?: LogSink;
}

/** The logger backlog, as the dashboard exports it. */
export interface AuditLoggerMetrics {
  pending: number;
  inFlight: number;
  written: number;
  /** Successful INSERT statements (each carries many rows under load). */
  flushes: number;
  failedFlushes: number;
  spooled: number;
  replayed: number;
  /** Rows that reached neither PostgreSQL nor the spool (each one was written to the process log). */
  dropped: number;
  /** Rows PostgreSQL refused for their own values (reported, counted in `dropped` too). */
  rejected: number;
  degraded: boolean;
}

/** The audit logger: the spec's functions plus queries, retention, flush/close and metrics. */
export interface AuditLogger extends AuditLogFunctions {
  /** Logs matching the filters, newest first (limit default 100, max 1000). */
  getRecentLogs(options?: RecentLogsOptions): Promise<LogRow[]>;
  /** Exact counts in the spec's shape, fast at 10M rows. */
  getLogStats(range?: LogStatsRange): Promise<LogStats>;
  /** Deletes rows older than `days` days; returns how many. */
  cleanupOldLogs(days: number): Promise<number>;
  /** Same, with success/error counts and the number of batches. */
  cleanupOldLogsDetailed(days: number, options?: CleanupOptions): Promise<CleanupResult>;
  /**
   * Writes a row built with {@link auditRows} as is, keeping its id (group commit, outage hold and
   * spool like the other calls); a row whose id is already in "Log" is skipped, so a deterministic
   * id written twice (a crash and a rerun) stays one row. Resolves, never rejects.
   */
  writeRow(row: StoredRow): Promise<void>;
  /** Resolves true once every row logged before the call is committed, false after `timeoutMs`. */
  flush(timeoutMs?: number): Promise<boolean>;
  /** Stops accepting, flushes within closeTimeoutMs, spools what is left; idempotent. */
  close(): Promise<void>;
  /** Current backlog and counters. */
  metrics(): AuditLoggerMetrics;
}

/**
 * The spool directory of a logger given none: per user and per database (a directory replays
 * into the database its rows were meant for), under the OS temp dir.
 */
export function defaultSpoolDir(db: DbHandle): string {
  const { host, port, database } = db.sql.options;
  const key = `${host[0] ?? "local"}_${port[0] ?? 5432}_${database}`.replace(/[^A-Za-z0-9._-]/g, "_");
  return join(tmpdir(), `callastar-audit-spool-${process.getuid?.() ?? "user"}`, key);
}

/** Creates an audit logger writing to "Log" through `db`, with group commit and outage handling. */
export function createAuditLogger(options: AuditLoggerOptions): AuditLogger {
  const { db } = options;
  const maxBuffered = options.maxBuffered ?? 100_000;
  const closeTimeoutMs = options.closeTimeoutMs ?? 5000;
  const report = createReporter(options.onError, options.log);
  // Durability by default: a caller is only released early once its row is on disk, so a logger
  // given no directory still gets one. The temp dir survives what the spool is for (SIGKILL, OOM
  // kill, container restart) with no setup; surviving a lost host or container needs LOG_SPOOL_DIR.
  const spoolDir = options.spoolDir === false ? undefined : (options.spoolDir ?? defaultSpoolDir(db));
  const leaseMs = options.spoolLeaseMs ?? readSpoolLeaseMs();
  const keeper = new SpoolKeeper({ dir: spoolDir, leaseMs, report, maxBuffered });
  const { spool } = keeper;
  let closed = false;
  let closing: Promise<void> | undefined;

  const writer = new GroupCommitWriter(
    {
      write: (rows) => insertRows(db.sql, rows),
      overflow: (rows, reason) => keeper.overflow(rows, reason),
      rejected: (row, error) => keeper.rejected(row, error),
      availability(up, error) {
        if (up) report.info(`PostgreSQL reachable again; writing held audit rows (${writer.buffered} left)`);
        else report.error("unavailable", `PostgreSQL unavailable; holding audit rows in memory (up to ${maxBuffered}) and retrying`, { cause: error });
      },
      committed: () => keeper.committed(),
      ...(spool && { persist: (rows: StoredRow[]) => keeper.persist(spool, rows) }),
    },
    {
      maxBatch: options.maxBatch ?? 2000,
      maxBuffered,
      ackTimeoutMs: options.ackTimeoutMs ?? 2000,
      backoffMinMs: options.backoffMinMs ?? 50,
      backoffMaxMs: options.backoffMaxMs ?? 5000,
    },
  );
  const replayer = keeper.attach(writer);

  function writeRow(row: StoredRow): Promise<void> {
    return closed ? keeper.afterClose(row) : writer.submit(row);
  }
  const write = (input: RowInput): Promise<void> => writeRow(buildRowSafely(input));

  const exitSaver = { saveSync: () => keeper.saveSync(writer.abandon().unsaved) };
  registerExitSaver(exitSaver);
  replayer?.kick();
  replayer?.startPeriodic(leaseMs);

  async function shutdown(): Promise<void> {
    closed = true;
    keeper.stop();
    const replayStopped = replayer?.stop() ?? Promise.resolve();
    writer.expedite();
    const deadline = AbortSignal.timeout(closeTimeoutMs);
    await writer.flush(closeTimeoutMs);
    await settledBefore(replayStopped, deadline);
    const left = writer.abandon();
    if (left.unsaved.length) await keeper.overflow(left.unsaved, `PostgreSQL still unreachable ${closeTimeoutMs} ms into close()`);
    left.release();
    await replayStopped;
    if (spool) await spool.seal().catch((error: unknown) => report.error("spool-failed", `could not seal ${spool.dir}`, { cause: error }));
    spool?.stop();
    unregisterExitSaver(exitSaver);
  }

  return {
    ...createLogFunctions(write),
    writeRow,
    getRecentLogs: (filters) => getRecentLogs(db.db, filters),
    getLogStats: (range) => getLogStats(db.db, range),
    cleanupOldLogs: async (days) => (await cleanupOldLogsDetailed(db.db, days)).deleted,
    cleanupOldLogsDetailed: (days, opts) => cleanupOldLogsDetailed(db.db, days, opts),
    async flush(timeoutMs = closeTimeoutMs) {
      // A replay started at creation counts as "logged before": wait for it, within the same budget.
      const deadline = Date.now() + timeoutMs;
      if (replayer && !(await settledBefore(replayer.idle(), AbortSignal.timeout(timeoutMs)))) return false;
      return writer.flush(Math.max(0, deadline - Date.now()));
    },
    close() {
      closing ??= shutdown();
      return closing;
    },
    metrics: () => ({
      pending: writer.pendingCount,
      inFlight: writer.inFlightCount,
      written: writer.counts.written,
      flushes: writer.counts.flushes,
      failedFlushes: writer.counts.failedFlushes,
      spooled: keeper.counts.spooled,
      replayed: replayer?.replayed ?? 0,
      dropped: keeper.counts.dropped,
      rejected: writer.counts.rejected,
      degraded: writer.degraded,
    }),
  };
}
