import { createTestDatabase, type TestDatabase } from "@callastar/testing";
import {
  closeDefaultAuditLogger,
  createAuditLogger,
  getLogStats,
  getRecentLogs,
  logCronRun,
  logEmailSent,
  LogStatus,
  setDefaultAuditLogger,
} from "./index";

let t: TestDatabase;
const saved = process.env.DATABASE_URL;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await closeDefaultAuditLogger();
  process.env.DATABASE_URL = saved;
  await t.drop();
});

describe("module-level spec functions", () => {
  it("work with nothing but DATABASE_URL", async () => {
    process.env.DATABASE_URL = t.url;
    await logEmailSent("clx123456", "user789", "booking_confirmation", { recipientEmail: "user@example.com" });
    await logCronRun("cleanup_logs", 3, 120);
    const recent = await getRecentLogs({ limit: 10 });
    expect(recent.map((r) => r.type).sort()).toEqual(["CRON_RUN", "EMAIL_SENT"]);
    expect((await getLogStats()).emails).toEqual({ sent: 1, errors: 0, successRate: "100.00" });
    await closeDefaultAuditLogger();
    await closeDefaultAuditLogger(); // idempotent
  });

  it("use an installed instance", async () => {
    const mine = createAuditLogger({ db: t });
    setDefaultAuditLogger(mine);
    await logEmailSent("b", "u", "payment_received");
    expect(mine.metrics().written).toBe(1);
    expect(await getRecentLogs({ status: LogStatus.ERROR })).toEqual([]);
    await closeDefaultAuditLogger();
  });

  it("never throw when the environment is unusable", async () => {
    delete process.env.DATABASE_URL;
    const write = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      await expect(logEmailSent("b", "u", "x")).resolves.toBeUndefined();
      expect(String(write.mock.calls[0]?.[0])).toContain("DATABASE_URL");
    } finally {
      write.mockRestore();
    }
    await expect(getRecentLogs()).rejects.toThrow("DATABASE_URL");
  });
});
