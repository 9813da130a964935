import { parseCliArgs, UsageError } from "./cli-args";

describe("parseCliArgs", () => {
  it("reads the window and the switches", () => {
    expect(parseCliArgs(["--since", "2026-02-01", "--until", "2026-02-02T12:00:00Z", "--repair", "--json"])).toEqual({
      since: new Date("2026-02-01T00:00:00Z"),
      until: new Date("2026-02-02T12:00:00Z"),
      repair: true,
      json: true,
    });
    expect(parseCliArgs([])).toEqual({ repair: false, json: false });
  });

  it.each([
    [["--since", "yesterday"], /--since must be an ISO 8601 date/],
    [["--until", "2026-02-30T25:00:00Z"], /--until must be an ISO 8601 date/],
    [["--bogus"], /Unknown option '--bogus'/],
    [["--since"], /--since/],
    [["extra"], /extra/],
    [["--since", "2026-02-02", "--until", "2026-02-01"], /--since \(2026-02-02\) must be before --until/],
    [["--since", "2999-01-01"], /--since \(2999-01-01\) is in the future/],
  ])("refuses %j naming the flag", (args, message) => {
    expect(() => parseCliArgs(args)).toThrow(UsageError);
    expect(() => parseCliArgs(args)).toThrow(message);
  });
});
