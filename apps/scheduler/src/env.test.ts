import { loadSchedulerEnv } from "./env";

const base = { DATABASE_URL: "postgres://postgres@127.0.0.1:5432/x", REDIS_URL: "redis://127.0.0.1:6379" };

describe("loadSchedulerEnv", () => {
  it.each(["99 99 99 99 99", "0 25 * * *", "*/0 * * * *", "0 0 31 2 * * *"])(
    "refuses the cron pattern %p before any connection, naming the variable",
    (pattern) => {
      expect(() => loadSchedulerEnv({ ...base, CRON_PROCESS_PAYOUTS: pattern })).toThrow(/CRON_PROCESS_PAYOUTS: must be a (valid )?cron pattern/);
    },
  );

  it("accepts five- and six-field patterns BullMQ accepts", () => {
    const env = loadSchedulerEnv({ ...base, CRON_PROCESS_PAYOUTS: "15 * * * *", CRON_CLEANUP_LOGS: "0 30 3 * * *" });
    const patterns = env as unknown as Record<string, string>;
    expect(patterns.CRON_PROCESS_PAYOUTS).toBe("15 * * * *");
    expect(patterns.CRON_CLEANUP_LOGS).toBe("0 30 3 * * *");
  });
});
