import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDatabase, type TestDatabase } from "@callastar/testing";
import { createAuditLogger, LogType, type AuditLoggerError, type AuditLoggerOptions } from "./index";
import { GroupCommitWriter, type WriterHooks } from "./write/group-commit";
import { insertRows } from "./write/insert-statement";
import { buildRow, type StoredRow } from "./write/row";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t.drop();
  for (const dir of spools) rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => t.sql`TRUNCATE "Log"`);

// Each logger its own spool: a row an earlier test's logger spooled on this database (its caller
// released after ackTimeoutMs on a loaded machine) would be replayed by the next one, through the
// same writer, and add a statement to the counts these tests check.
const spools: string[] = [];
const newLogger = (options: Omit<AuditLoggerOptions, "db" | "spoolDir"> = {}) => {
  const spoolDir = mkdtempSync(join(tmpdir(), "group-commit-"));
  spools.push(spoolDir);
  return createAuditLogger({ db: t, spoolDir, ...options });
};

const countRows = async () => Number((await t.sql`SELECT count(*)::int AS n FROM "Log"`)[0]!.n);

describe("group commit", () => {
  it("1,000 concurrent calls → 1,000 rows in far fewer INSERT statements", async () => {
    const logger = newLogger();
    try {
      await Promise.all(Array.from({ length: 1000 }, (_, i) => logger.logEmailSent(`b${i}`, `u${i}`, "booking_confirmation")));
      expect(await countRows()).toBe(1000);
      const m = logger.metrics();
      expect(m).toMatchObject({ written: 1000, pending: 0, inFlight: 0, failedFlushes: 0, dropped: 0, degraded: false });
      expect(m.flushes).toBeGreaterThan(0);
      expect(m.flushes).toBeLessThanOrEqual(5);
      // The hourly stats trigger saw every row too.
      const [s] = await t.sql`SELECT sum(count)::int AS n FROM "LogHourlyStat"`;
      expect(s!.n).toBe(1000);
    } finally {
      await logger.close();
    }
  });

  it("sustained concurrency keeps batching: a waiting call joins the next statement, no timer", async () => {
    const logger = newLogger();
    try {
      const started = Date.now();
      const workers = Array.from({ length: 50 }, async (_, w) => {
        for (let i = 0; i < 40; i++) await logger.logCronRun(`cron-${w}`, i, 5);
      });
      await Promise.all(workers);
      expect(await countRows()).toBe(2000);
      expect(logger.metrics().flushes).toBeLessThan(2000 / 5);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await logger.close();
    }
  });

  it("rows logged by callbacks of the same event-loop phase share one statement", async () => {
    // Several timers due together run in one timers phase, with microtasks drained between them:
    // the way a burst of Redis replies starts several jobs. The batch is cut after all of them.
    const logger = newLogger();
    try {
      const calls = await new Promise<Promise<void>[]>((resolve) => {
        const out: Promise<void>[] = [];
        for (let i = 0; i < 5; i++) {
          setTimeout(() => {
            out.push(logger.logCronRun(`phase-${i}`, i, 1));
            if (out.length === 5) resolve(out);
          }, 0);
        }
      });
      await Promise.all(calls);
      expect(await countRows()).toBe(5);
      expect(logger.metrics().flushes).toBe(1);
    } finally {
      await logger.close();
    }
  });

  it("caps rows per statement at maxBatch", async () => {
    const logger = newLogger({ maxBatch: 100 });
    try {
      await Promise.all(Array.from({ length: 1000 }, (_, i) => logger.logSuccess(LogType.SYSTEM_ERROR, `m${i}`)));
      expect(await countRows()).toBe(1000);
      expect(logger.metrics().flushes).toBeGreaterThanOrEqual(10);
    } finally {
      await logger.close();
    }
  });

  it("a row PostgreSQL refuses does not poison its batch: it is isolated and reported with its content", async () => {
    const errors: AuditLoggerError[] = [];
    const logger = newLogger({ onError: (e) => errors.push(e) });
    try {
      const calls = Array.from({ length: 200 }, (_, i) =>
        i === 137
          ? logger.logSuccess("NOT_A_LOG_TYPE" as LogType, "bad row", { marker: "poison" })
          : logger.logSuccess(LogType.NOTIFICATION_SENT, `ok ${i}`),
      );
      await Promise.all(calls);
      expect(await countRows()).toBe(199);
      const rejected = errors.filter((e) => e.kind === "row-rejected");
      expect(rejected).toHaveLength(1);
      expect(rejected[0]!.rows[0]).toMatchObject({ type: "NOT_A_LOG_TYPE", message: "bad row" });
      expect(rejected[0]!.rows[0]!.context).toContain("poison");
      expect(logger.metrics()).toMatchObject({ written: 199, rejected: 1, dropped: 1, degraded: false });
    } finally {
      await logger.close();
    }
  });

  it("close() is idempotent and later calls neither throw nor write", async () => {
    const errors: AuditLoggerError[] = [];
    // No spool: a call after close() has nowhere to go (with one it is spooled, see outage tests).
    const logger = createAuditLogger({ db: t, spoolDir: false, onError: (e) => errors.push(e) });
    await logger.logCronRun("x", 1, 1);
    await Promise.all([logger.close(), logger.close()]);
    await logger.close();
    await expect(logger.logCronRun("after", 1, 1)).resolves.toBeUndefined();
    expect(await countRows()).toBe(1);
    expect(errors.map((e) => e.kind)).toEqual(["closed"]);
    expect(logger.metrics().dropped).toBe(1);
  });
});

describe("every write skips ids already in \"Log\"", () => {
  const hooks = (calls: number[], write: (rows: StoredRow[]) => Promise<void>): WriterHooks => ({
    write: (rows) => {
      calls.push(rows.length);
      return write(rows);
    },
    overflow: () => Promise.resolve(),
    rejected: (row) => {
      throw new Error(`row ${row.id} rejected`);
    },
    availability: () => {},
  });
  const options = { maxBatch: 100, maxBuffered: 1000, ackTimeoutMs: 10_000, backoffMinMs: 5, backoffMaxMs: 20 };
  const row = (message: string) => buildRow({ type: LogType.CRON_RUN, status: "SUCCESS", message, hasError: false });

  it("a row committed by an attempt whose answer was lost is written once on retry", async () => {
    const calls: number[] = [];
    let lose = true;
    const writer = new GroupCommitWriter(
      hooks(calls, async (rows) => {
        await insertRows(t.sql, rows);
        if (lose) {
          lose = false;
          throw Object.assign(new Error("connection reset after commit"), { code: "ECONNRESET" });
        }
      }),
      options,
    );
    await Promise.all([writer.submit(row("a")), writer.submit(row("b"))]);
    expect(calls).toEqual([2, 2]);
    expect(await countRows()).toBe(2);
  });

  it("an id that is already there (the same row submitted twice) is skipped, not called bad", async () => {
    const calls: number[] = [];
    const writer = new GroupCommitWriter(hooks(calls, (rows) => insertRows(t.sql, rows)), options);
    const twice = row("twice");
    await writer.submit(twice);
    await Promise.all([writer.submit({ ...twice }), writer.submit(row("fresh"))]);
    expect(calls).toEqual([1, 2]);
    expect(await countRows()).toBe(2);
    expect(writer.counts).toMatchObject({ written: 3, rejected: 0 });
  });
});
