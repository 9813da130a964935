import { parseCliArgs, UsageError } from "./cli-args";

describe("parseCliArgs", () => {
  it("reads the window and the switches", () => {
    expect(parseCliArgs(["--since", "2026-02-01", "--until", "2026-02-02T12:00:00Z", "--repair", "--json"])).toEqual({
      since: new Date("2026-02-01T00:00:00Z"),
      until: new Date("2026-02-02T12:00:00Z"),
      repair: true,
      json: true,
      bounds: {},
    });
    expect(parseCliArgs([])).toEqual({ repair: false, json: false, bounds: {} });
  });

  it("reads the intent bounds, in minutes", () => {
    const args = ["--reminder-lead-minutes", "30", "--reminder-grace-minutes", "5", "--pending-max-minutes", "2.5", "--outbox-max-minutes", "60"];
    expect(parseCliArgs(args).bounds).toEqual({ reminderLeadMinutes: 30, reminderGraceMinutes: 5, pendingMaxMinutes: 2.5, outboxMaxMinutes: 60 });
  });

  it.each([
    [["--since", "yesterday"], /--since must be an ISO 8601 date/],
    [["--until", "2026-02-30T25:00:00Z"], /--until must be an ISO 8601 date/],
    [["--bogus"], /Unknown option '--bogus'/],
    [["--since"], /--since/],
    [["extra"], /extra/],
    [["--since", "2026-02-02", "--until", "2026-02-01"], /--since \(2026-02-02\) must be before --until/],
    [["--since", "2999-01-01"], /--since \(2999-01-01\) is in the future/],
    [["--pending-max-minutes", "0"], /--pending-max-minutes must be a positive number of minutes/],
    [["--outbox-max-minutes", "soon"], /--outbox-max-minutes must be a positive number of minutes \(got "soon"\)/],
  ])("refuses %j naming the flag", (args, message) => {
    expect(() => parseCliArgs(args)).toThrow(UsageError);
    expect(() => parseCliArgs(args)).toThrow(message);
  });
});
