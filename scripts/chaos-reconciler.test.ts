// How `pnpm chaos` reads the reconciler's answer (the JSON contract of `pnpm audit:verify --json`).
import { parseReport } from "../chaos/src/reconciler";

describe("the chaos harness reading audit:verify", () => {
  it("takes the report when stdout is exactly the JSON object", () => {
    const report = { since: "a", until: "b", checked: { "email-sent": 3 }, missing: [{ check: "payout-paid", entityId: "p1", expectedLogId: "payout-paid:p1" }], duplicated: [], repaired: 0 };
    expect(parseReport(JSON.stringify(report))).toEqual(report);
  });

  it("finds the report on the last line after other output", () => {
    expect(parseReport('> audit:verify\n{"missing":[],"duplicated":[{"check":"cron-run","entityId":"c","rows":2}]}')).toEqual({
      missing: [],
      duplicated: [{ check: "cron-run", entityId: "c", rows: 2 }],
    });
  });

  it("answers nothing when the reconciler is missing or prints no report, so the run counts it as '?'", () => {
    expect(parseReport("ERR_PNPM_NO_SCRIPT  Missing script: audit:verify")).toBeUndefined();
    expect(parseReport('{"ok":true}')).toBeUndefined();
    expect(parseReport("")).toBeUndefined();
  });
});
