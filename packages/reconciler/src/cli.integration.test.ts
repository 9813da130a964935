import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { emailDelivery } from "@callastar/db";
import { createTestDatabase, seedBooking, testEnv, type TestDatabase } from "@callastar/testing";
import { asInsert, insertRows, seedFact } from "./testing/seed";

let t: TestDatabase;
let creatorId: string;
const root = resolve(__dirname, "../../..");

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end with the test database's URL. */
function run(command: string, args: string[], cwd: string): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd, env: { ...testEnv.childBase, DATABASE_URL: t.url }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.once("error", fail);
    child.once("close", (code) => done({ code, stdout, stderr }));
  });
}
const cli = (...args: string[]) => run(process.execPath, ["--import", "tsx", "src/cli.ts", ...args], resolve(__dirname, ".."));
const day = (d: number) => ["--since", `2026-02-0${d}T00:00:00Z`, "--until", `2026-02-0${d}T23:59:59Z`];
const at = (d: number) => new Date(Date.UTC(2026, 1, d, 12));

beforeAll(async () => {
  t = await createTestDatabase();
  creatorId = (await seedBooking(t, { callDateTime: new Date(Date.UTC(2026, 1, 20)) })).creatorId;
});
afterAll(() => t.drop());

describe("pnpm audit:verify", () => {
  it("exits 2 naming the flag for bad arguments", async () => {
    // Every refused form is in cli-args.test.ts; these prove the process's exit code and streams.
    const bad: Array<[string[], RegExp]> = [
      [["--since", "yesterday"], /--since must be an ISO 8601 date/],
      [["--bogus"], /Unknown option '--bogus'/],
    ];
    for (const [args, message] of bad) {
      const r = await cli(...args);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe("");
    }
  });

  it("reports a missing row (exit 1, the contract's JSON), repairs it (exit 0), then is clean (exit 0)", async () => {
    const f = await seedFact(t, "payout-paid", creatorId, at(1));
    const json = await cli("--json", ...day(1));
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as Record<string, unknown>;
    expect(Object.keys(report)).toEqual(["since", "until", "checked", "missing", "duplicated", "unfulfilled", "repaired", "redriven", "unfinishedRuns"]);
    expect(report).toMatchObject({
      since: "2026-02-01T00:00:00.000Z",
      until: "2026-02-01T23:59:59.000Z",
      missing: [{ check: "payout-paid", entityId: f.entityId, expectedLogId: `payout-paid:${f.entityId}` }],
      duplicated: [],
      repaired: 0,
    });
    expect((report.checked as Record<string, number>)["payout-paid"]).toBe(1);

    const human = await cli(...day(1));
    expect(human.code).toBe(1);
    expect(human.stdout).toContain(`missing     payout-paid ${f.entityId}`);
    expect(human.stdout.trim().split("\n").at(-1)).toMatch(/missing 1, duplicated 0, unfulfilled 0, repaired 0, redriven 0, unfinished runs 0$/);

    const repaired = await cli("--repair", "--json", ...day(1));
    expect({ code: repaired.code, ...JSON.parse(repaired.stdout) }).toMatchObject({ code: 0, missing: [], repaired: 1 });
    const again = await cli("--repair", "--json", ...day(1));
    expect({ code: again.code, ...JSON.parse(again.stdout) }).toMatchObject({ code: 0, missing: [], duplicated: [], repaired: 0 });
  });

  it("exits 1 on a duplicate, even with --repair", async () => {
    const f = await seedFact(t, "email-sent", creatorId, at(2));
    await insertRows(t, [asInsert(f.row, `email-sent:${f.entityId}`, at(2)), asInsert(f.row, `legacy-${f.entityId}`, at(2))]);
    const r = await cli("--repair", "--json", ...day(2));
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ missing: [], duplicated: [{ check: "email-sent", entityId: f.entityId, rows: 2 }], repaired: 0 });
  });

  it("exits 1 when a booking marked reminded was never emailed, naming it, and 0 once its reminders are delivered", async () => {
    const b = await seedBooking(t, { callDateTime: new Date(at(4).getTime() + 15 * 60_000), reminderSent: true });
    const r = await cli("--json", ...day(4));
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({
      missing: [],
      unfulfilled: [{ check: "reminder-emails", entityId: b.bookingId, detail: "marked reminded, no reminder delivered to the client and creator", since: at(4).toISOString() }],
    });
    expect((await cli(...day(4))).stdout).toContain(`unfulfilled reminder-emails ${b.bookingId} (marked reminded, no reminder delivered to the client and creator`);
    for (const role of ["client", "creator"]) {
      const key = `booking_reminder:${b.bookingId}:${role}`;
      await t.db.insert(emailDelivery).values({ idempotencyKey: key, emailType: `booking_reminder_${role}`, bookingId: b.bookingId, recipientEmail: `${role}@example.com`, createdAt: at(4) });
      await insertRows(t, [{ id: `email-sent:${key}`, type: "EMAIL_SENT", status: "SUCCESS", message: "sent", context: { idempotencyKey: key }, createdAt: at(4) }]);
    }
    const clean = await cli("--json", ...day(4));
    expect({ code: clean.code, ...JSON.parse(clean.stdout) }).toMatchObject({ code: 0, missing: [], unfulfilled: [] });
  });

  it("runs as the root package's script, JSON alone on stdout", async () => {
    const f = await seedFact(t, "cron-run", creatorId, at(3));
    await insertRows(t, [asInsert(f.row, `cron-run:${f.entityId}`, at(3))]);
    const r = await run("pnpm", ["-s", "audit:verify", "--json", ...day(3)], root);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ checked: { "cron-run": 1 }, missing: [], duplicated: [], repaired: 0 });
  });
});
