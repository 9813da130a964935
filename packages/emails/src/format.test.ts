import { formatAmount, formatCallTime } from "./format";

describe("formatCallTime", () => {
  it("shows 14:30Z as 3:30 PM in Paris in winter, with the zone", () => {
    expect(formatCallTime("2025-01-15T14:30:00Z", "Europe/Paris")).toEqual({
      date: "Wednesday, January 15, 2025",
      time: "3:30 PM",
      zoneShort: "GMT+1",
      zoneLong: "Central European Standard Time",
      timeZone: "Europe/Paris",
      full: "Wednesday, January 15, 2025 at 3:30 PM (GMT+1)",
    });
  });

  it("shows the same instant as 9:30 AM in New York", () => {
    const t = formatCallTime("2025-01-15T14:30:00Z", "America/New_York");
    expect(t.time).toBe("9:30 AM");
    expect(t.zoneShort).toBe("EST");
  });

  it("follows daylight saving time and date changes across midnight", () => {
    expect(formatCallTime("2025-07-15T14:30:00Z", "Europe/Paris").zoneLong).toBe("Central European Summer Time");
    const tokyo = formatCallTime("2025-01-15T20:00:00Z", "Asia/Tokyo");
    expect(tokyo.date).toBe("Thursday, January 16, 2025");
    expect(tokyo.time).toBe("5:00 AM");
  });

  it("formats once per zone and minute, and still turns at a DST change minute by minute", () => {
    expect(formatCallTime("2025-01-15T14:30:59.999Z", "Europe/Paris")).toBe(formatCallTime("2025-01-15T14:30:00Z", "Europe/Paris"));
    // Paris moves to summer time at 01:00 UTC on 30 March 2025.
    expect(formatCallTime("2025-03-30T00:59:00Z", "Europe/Paris")).toMatchObject({ time: "1:59 AM", zoneShort: "GMT+1" });
    expect(formatCallTime("2025-03-30T01:00:00Z", "Europe/Paris")).toMatchObject({ time: "3:00 AM", zoneShort: "GMT+2" });
    expect(Object.isFrozen(formatCallTime("2025-01-15T14:30:00Z", "UTC"))).toBe(true);
  });

  it("honours an offset in the input", () => {
    expect(formatCallTime("2025-01-15T15:30:00+01:00", "UTC").time).toBe("2:30 PM");
  });
});

describe("formatAmount", () => {
  it("reads minor units with the currency's decimals", () => {
    expect(formatAmount(4900, "EUR")).toBe("€49.00");
    expect(formatAmount(1999, "usd")).toBe("$19.99");
    expect(formatAmount(5000, "JPY")).toBe("¥5,000");
    expect(formatAmount(1234, "KWD")).toBe("KWD 1.234");
    expect(formatAmount(0, "GBP")).toBe("£0.00");
  });
});
