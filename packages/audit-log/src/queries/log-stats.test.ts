import { rate, statsFromCounts } from "./log-stats";
import { clampLimit } from "./recent-logs";

describe("stats arithmetic", () => {
  it("reproduces the spec's example exactly (emails 456/(456+12) = 97.44)", () => {
    const stats = statsFromCounts([
      { type: "EMAIL_SENT", status: "SUCCESS", n: 456 },
      { type: "EMAIL_ERROR", status: "ERROR", n: "12" },
      { type: "CRON_RUN", status: "SUCCESS", n: 168 },
      { type: "CRON_ERROR", status: "ERROR", n: 3 },
      { type: "BOOKING_CREATED", status: "SUCCESS", n: 826 },
      { type: "PAYMENT_ERROR", status: "ERROR", n: 58 },
    ]);
    expect(stats).toEqual({
      totalLogs: 1523,
      successLogs: 1450,
      errorLogs: 73,
      successRate: "95.21",
      errorRate: "4.79",
      emails: { sent: 456, errors: 12, successRate: "97.44" },
      crons: { runs: 168, errors: 3, successRate: "98.25" },
    });
  });

  it("never yields NaN", () => {
    expect(rate(0, 0)).toBe("0.00");
    expect(statsFromCounts([]).emails.successRate).toBe("0.00");
  });

  it("clamps getRecentLogs' limit", () => {
    expect(clampLimit(undefined)).toBe(100);
    expect(clampLimit(5000)).toBe(1000);
    expect(clampLimit(0)).toBe(1);
    expect(clampLimit(Number.NaN)).toBe(100);
  });
});
