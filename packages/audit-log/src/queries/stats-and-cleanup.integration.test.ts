import type { LogStats } from "../index";
import { useAuditDatabase } from "../test-fixtures/audit-database";
import { statsFromCounts } from "./log-stats";

const h = useAuditDatabase();
beforeEach(() => h.t.sql`TRUNCATE "Log"`);

let seq = 0;
async function insertAt(at: string | Date, type: string, status: string, n = 1): Promise<void> {
  const iso = typeof at === "string" ? at : at.toISOString();
  for (let i = 0; i < n; i++) {
    await h.t.sql`INSERT INTO "Log" (id, type, status, message, "createdAt")
      VALUES (${`fx${seq++}`}, ${type}::"LogType", ${status}::"LogStatus", 'fixture', ${iso}::timestamp(3))`;
  }
}

const EMPTY: LogStats = {
  totalLogs: 0, successLogs: 0, errorLogs: 0, successRate: "0.00", errorRate: "0.00",
  emails: { sent: 0, errors: 0, successRate: "0.00" }, crons: { runs: 0, errors: 0, successRate: "0.00" },
};

// Brute force over "Log" itself, to check the hourly-bucket arithmetic against.
async function bruteForce(start: Date, end: Date): Promise<LogStats> {
  const rows = await h.t.sql`SELECT type::text, status::text, count(*)::int AS n FROM "Log"
    WHERE "createdAt" >= ${start.toISOString()}::timestamp(3) AND "createdAt" <= ${end.toISOString()}::timestamp(3) GROUP BY 1, 2`;
  return statsFromCounts(rows as unknown as { type: string; status: string; n: number }[]);
}

describe("getLogStats", () => {
  it("counts whole hours from LogHourlyStat and the partial hours at both edges exactly", async () => {
    await insertAt("2024-03-10T10:14:59.999Z", "EMAIL_SENT", "SUCCESS"); // just before the range
    await insertAt("2024-03-10T10:15:00.000Z", "EMAIL_SENT", "SUCCESS"); // first instant, inclusive
    await insertAt("2024-03-10T10:59:59.999Z", "EMAIL_ERROR", "ERROR");
    await insertAt("2024-03-10T11:00:00.000Z", "CRON_RUN", "SUCCESS", 3); // whole hours
    await insertAt("2024-03-10T12:59:59.999Z", "CRON_ERROR", "ERROR");
    await insertAt("2024-03-10T12:30:00.000Z", "BOOKING_CREATED", "SUCCESS", 2);
    await insertAt("2024-03-10T13:00:00.000Z", "EMAIL_SENT", "SUCCESS"); // end edge hour
    await insertAt("2024-03-10T13:45:00.000Z", "PAYMENT_ERROR", "ERROR"); // last instant, inclusive
    await insertAt("2024-03-10T13:45:00.001Z", "EMAIL_SENT", "SUCCESS"); // just after
    await insertAt("2024-03-10T14:00:00.000Z", "CRON_RUN", "SUCCESS"); // hour after
    const stats = await h.logger.getLogStats({ startDate: new Date("2024-03-10T10:15:00.000Z"), endDate: new Date("2024-03-10T13:45:00.000Z") });
    expect(stats).toEqual({
      totalLogs: 10,
      successLogs: 7,
      errorLogs: 3,
      successRate: "70.00",
      errorRate: "30.00",
      emails: { sent: 2, errors: 1, successRate: "66.67" },
      crons: { runs: 3, errors: 1, successRate: "75.00" },
    });
    expect(Object.keys(stats)).toEqual(["totalLogs", "successLogs", "errorLogs", "successRate", "errorRate", "emails", "crons"]);
    expect((await h.logger.getLogStats()).totalLogs).toBe(13); // all time
    expect((await h.logger.getLogStats({ endDate: new Date("2024-03-10T10:59:59.999Z") })).totalLogs).toBe(3);
    expect((await h.logger.getLogStats({ startDate: new Date("2024-03-10T13:45:00.001Z") })).totalLogs).toBe(2);
  });

  it("returns zeros and \"0.00\" rates on an empty range, never NaN", async () => {
    await insertAt("2024-03-10T10:00:00.000Z", "EMAIL_SENT", "SUCCESS");
    expect(await h.logger.getLogStats({ startDate: new Date("2025-01-01T00:00:00Z"), endDate: new Date("2025-01-02T00:00:00Z") })).toEqual(EMPTY);
    expect(await h.logger.getLogStats({ startDate: new Date("2025-01-02T00:00:00Z"), endDate: new Date("2025-01-01T00:00:00Z") })).toEqual(EMPTY);
    await h.t.sql`TRUNCATE "Log"`;
    expect(await h.logger.getLogStats()).toEqual(EMPTY);
  });

  it("agrees with a brute-force count on random ranges, including sub-hour ones", async () => {
    const base = Date.parse("2024-03-10T00:00:00Z");
    await h.t.sql`INSERT INTO "Log" (id, type, status, message, "createdAt")
      SELECT 'r' || g, (ARRAY['EMAIL_SENT','EMAIL_ERROR','CRON_RUN','CRON_ERROR','SYSTEM_ERROR'])[1 + g % 5]::"LogType",
             (CASE WHEN g % 5 IN (0, 2) THEN 'SUCCESS' ELSE 'ERROR' END)::"LogStatus", 'r',
             ${new Date(base).toISOString()}::timestamp(3) + (g * 7919 % 86400000) * interval '1 millisecond'
      FROM generate_series(1, 3000) g`;
    for (let i = 0; i < 25; i++) {
      const a = base + Math.floor(Math.random() * 86_400_000);
      const span = i % 3 === 0 ? Math.floor(Math.random() * 3_600_000) : Math.floor(Math.random() * 40_000_000);
      const range = { startDate: new Date(a), endDate: new Date(a + span) };
      expect(await h.logger.getLogStats(range)).toEqual(await bruteForce(range.startDate, range.endDate));
    }
  });
});

describe("getRecentLogs", () => {
  it("filters and pages newest first", async () => {
    await insertAt("2024-03-10T10:00:00.000Z", "EMAIL_ERROR", "ERROR");
    await insertAt("2024-03-10T11:00:00.000Z", "EMAIL_SENT", "SUCCESS");
    await insertAt("2024-03-10T12:00:00.000Z", "EMAIL_ERROR", "ERROR");
    await h.logger.logCronRun("cleanup-logs", 1, 1);
    await h.logger.logEmailSent("bk-1", "u", "booking_confirmation");
    const errors = await h.logger.getRecentLogs({ status: "ERROR", limit: 20 });
    expect(errors.map((r) => r.createdAt.toISOString())).toEqual(["2024-03-10T12:00:00.000Z", "2024-03-10T10:00:00.000Z"]);
    expect((await h.logger.getRecentLogs({ limit: 2 }))[0]!.type).toBe("EMAIL_SENT");
    expect(await h.logger.getRecentLogs({ limit: 1, offset: 1 })).toHaveLength(1);
    expect((await h.logger.getRecentLogs({ bookingId: "bk-1" })).map((r) => r.type)).toEqual(["EMAIL_SENT"]);
    expect((await h.logger.getRecentLogs({ cronType: "cleanup-logs" })).map((r) => r.type)).toEqual(["CRON_RUN"]);
    const window = await h.logger.getRecentLogs({ startDate: new Date("2024-03-10T10:30:00Z"), endDate: new Date("2024-03-10T12:00:00Z") });
    expect(window).toHaveLength(2);
    expect(await h.logger.getRecentLogs({ type: "EMAIL_ERROR", status: "ERROR", limit: 50 })).toHaveLength(2);
  });

  it("defaults to 100 rows and caps at 1000", async () => {
    await h.t.sql`INSERT INTO "Log" (id, type, status, message) SELECT 'many' || g, 'EMAIL_SENT', 'SUCCESS', 'm' FROM generate_series(1, 1200) g`;
    expect(await h.logger.getRecentLogs()).toHaveLength(100);
    expect(await h.logger.getRecentLogs({ limit: 5000 })).toHaveLength(1000);
  });
});

describe("cleanupOldLogs", () => {
  it("deletes only older rows, in batches, and keeps LogHourlyStat consistent", async () => {
    const day = 86_400_000;
    const now = Date.now();
    await insertAt(new Date(now - 120 * day), "EMAIL_SENT", "SUCCESS", 3);
    await insertAt(new Date(now - 95 * day), "EMAIL_ERROR", "ERROR", 2);
    await insertAt(new Date(now - 91 * day), "CRON_RUN", "SUCCESS", 2);
    await insertAt(new Date(now - 89 * day), "CRON_ERROR", "ERROR", 1);
    await insertAt(new Date(now - 1 * day), "EMAIL_SENT", "SUCCESS", 4);
    const detailed = await h.logger.cleanupOldLogsDetailed(90, { batchSize: 2 });
    expect(detailed).toEqual({ deleted: 7, successDeleted: 5, errorDeleted: 2, batches: 4 });
    expect(Number((await h.t.sql`SELECT count(*)::int AS n FROM "Log"`)[0]!.n)).toBe(5);
    expect(await h.logger.cleanupOldLogs(90)).toBe(0);
    expect(await h.logger.cleanupOldLogs(0)).toBe(5);

    // The trigger-maintained buckets equal a recount of "Log" after deletes.
    await insertAt(new Date(now - 2 * day), "PAYOUT_SUCCESS", "SUCCESS", 2);
    const diff = await h.t.sql`
      SELECT s.hour, s.type, s.status FROM "LogHourlyStat" s
      FULL JOIN (SELECT date_trunc('hour', "createdAt") AS hour, type, status, count(*) AS n FROM "Log" GROUP BY 1, 2, 3) l
        ON l.hour = s.hour AND l.type = s.type AND l.status = s.status
      WHERE coalesce(s.count, 0) <> coalesce(l.n, 0)`;
    expect(diff).toHaveLength(0);
  });

  it("refuses a nonsensical retention", async () => {
    await expect(h.logger.cleanupOldLogs(-1)).rejects.toThrow(RangeError);
    await expect(h.logger.cleanupOldLogs(Number.NaN)).rejects.toThrow(RangeError);
  });
});
