import { inArray } from "drizzle-orm";
import { cronRun, log } from "@callastar/db";
import { auditRows } from "@callastar/audit-log";
import { createTestDatabase, seedBooking, type TestDatabase } from "@callastar/testing";
import { CHECKS } from "./checks";
import { AUDIT_CHECKS, INTENT_CHECKS, type AuditCheck } from "./report";
import { asInsert, insertRows, seedFact } from "./testing/seed";
import { verifyAudit } from "./verify-audit";

let t: TestDatabase;
let creatorId: string;
const prefix = (check: AuditCheck) => CHECKS.find((c) => c.name === check)!.idPrefix;
// Each test works in its own hour of a fixed day, hours apart, so the file's tests never see each other's facts.
const hour = (h: number) => ({ since: new Date(Date.UTC(2026, 0, 10, h)), until: new Date(Date.UTC(2026, 0, 10, h + 1)) });
const inside = (h: number, minute = 30) => new Date(Date.UTC(2026, 0, 10, h, minute));

beforeAll(async () => {
  t = await createTestDatabase();
  creatorId = (await seedBooking(t, { callDateTime: new Date(Date.UTC(2026, 0, 20)) })).creatorId;
});
afterAll(() => t.drop());

describe("verifyAudit", () => {
  it("reports every fact without its row by entity id, for every check; repair writes them and a second run is clean", async () => {
    const window = hour(1);
    const at = inside(1);
    const missing: Array<{ check: AuditCheck; entityId: string }> = [];
    for (const check of AUDIT_CHECKS) {
      const ok = await seedFact(t, check, creatorId, at);
      await insertRows(t, [asInsert(ok.row, prefix(check) + ok.entityId, at)]);
      const gone = await seedFact(t, check, creatorId, at);
      missing.push({ check, entityId: gone.entityId });
    }
    // Facts outside the window, and facts that are not (yet) facts of any check, are not checked.
    await seedFact(t, "payout-paid", creatorId, new Date(window.until.getTime()));
    await seedFact(t, "email-sent", creatorId, new Date(window.since.getTime() - 1));

    const report = await verifyAudit(t.db, window);
    expect(report.missing).toEqual(
      expect.arrayContaining(missing.map((m) => ({ ...m, expectedLogId: prefix(m.check) + m.entityId }))),
    );
    expect(report.missing).toHaveLength(AUDIT_CHECKS.length);
    expect(report.duplicated).toEqual([]);
    expect(report.checked).toEqual({ ...Object.fromEntries(AUDIT_CHECKS.map((c) => [c, 2])), ...Object.fromEntries(INTENT_CHECKS.map((c) => [c, 0])) });
    expect(report.repaired).toBe(0);

    const repaired = await verifyAudit(t.db, { ...window, repair: true });
    expect(repaired.repaired).toBe(AUDIT_CHECKS.length);
    expect(repaired.missing).toEqual([]);
    const rows = await t.db.select().from(log).where(inArray(log.id, missing.map((m) => prefix(m.check) + m.entityId)));
    expect(rows).toHaveLength(AUDIT_CHECKS.length);
    for (const row of rows) {
      expect(row.context).toMatchObject({ recovered: true, recoveredBy: "audit:verify" });
      expect(row.createdAt.toISOString()).toBe(at.toISOString()); // dated at the fact
    }
    const paid = missing.find((m) => m.check === "payout-paid")!;
    const paidRow = rows.find((r) => r.id === `payout-paid:${paid.entityId}`)!;
    expect(paidRow).toMatchObject({ type: "PAYOUT_SUCCESS", status: "SUCCESS", message: `Payout ${paid.entityId} of 5000 eur paid to creator ${creatorId}` });
    expect(paidRow.context).toMatchObject({ payoutId: paid.entityId, creatorId, amount: 5000, currency: "eur" });
    const email = missing.find((m) => m.check === "email-sent")!;
    expect(rows.find((r) => r.id === `email-sent:${email.entityId}`)!.context).toMatchObject({ idempotencyKey: email.entityId, emailType: "booking-reminder" });
    const cronError = missing.find((m) => m.check === "cron-error")!;
    expect(rows.find((r) => r.id === `cron-error:${cronError.entityId}`)).toMatchObject({ type: "CRON_ERROR", status: "ERROR" });

    const again = await verifyAudit(t.db, window);
    expect(again).toMatchObject({ missing: [], duplicated: [], repaired: 0 });
    expect(await verifyAudit(t.db, { ...window, repair: true })).toMatchObject({ missing: [], repaired: 0 });
  });

  it("concurrent repairs write each missing row once", async () => {
    const window = hour(4);
    const ids: string[] = [];
    for (const check of AUDIT_CHECKS) ids.push(prefix(check) + (await seedFact(t, check, creatorId, inside(4))).entityId);
    const [a, b] = await Promise.all([verifyAudit(t.db, { ...window, repair: true }), verifyAudit(t.db, { ...window, repair: true })]);
    expect(a.repaired + b.repaired).toBe(AUDIT_CHECKS.length);
    expect([...a.missing, ...b.missing]).toEqual([]);
    expect(await t.db.select({ id: log.id }).from(log).where(inArray(log.id, ids))).toHaveLength(ids.length);
  });

  it("reports a success fact with more than one row, counting a legacy random-id row next to the deterministic one", async () => {
    const window = hour(7);
    const at = inside(7);
    const expected: Array<{ check: AuditCheck; entityId: string; rows: number }> = [];
    for (const check of ["email-sent", "payout-paid", "room-deleted", "cron-run"] as const) {
      const f = await seedFact(t, check, creatorId, at);
      await insertRows(t, [asInsert(f.row, prefix(check) + f.entityId, at), asInsert(f.row, `legacy-${f.entityId}`, new Date(at.getTime() + 5))]);
      expected.push({ check, entityId: f.entityId, rows: 2 });
    }
    // Two legacy rows and no deterministic one: duplicated too.
    const twice = await seedFact(t, "payout-paid", creatorId, at);
    await insertRows(t, [asInsert(twice.row, `legacy-a-${twice.entityId}`, at), asInsert(twice.row, `legacy-b-${twice.entityId}`, at)]);
    expected.push({ check: "payout-paid", entityId: twice.entityId, rows: 2 });

    const report = await verifyAudit(t.db, { ...window, repair: true });
    expect(report.duplicated).toHaveLength(expected.length);
    expect(report.duplicated).toEqual(expect.arrayContaining(expected));
    expect(report.missing).toEqual([]);
    expect(report.repaired).toBe(0);
    // Audit rows are evidence: nothing was deleted.
    expect(await t.db.select({ id: log.id }).from(log).where(inArray(log.id, [`legacy-a-${twice.entityId}`, `legacy-b-${twice.entityId}`]))).toHaveLength(2);
  });

  it("accepts a legacy random-id row naming the same entity, but not an attempt's error row nor another cron's run", async () => {
    const window = hour(10);
    const at = inside(10);
    const satisfied: string[] = [];
    for (const check of AUDIT_CHECKS.filter((c) => c !== "payout-created")) {
      const f = await seedFact(t, check, creatorId, at);
      // Written by the old code path a few seconds after its fact.
      await insertRows(t, [asInsert(f.row, `legacy-${f.entityId}`, new Date(at.getTime() + 3000))]);
      satisfied.push(f.entityId);
    }
    const retried = await seedFact(t, "payout-failed", creatorId, at);
    await insertRows(t, [asInsert({ ...retried.row, context: JSON.stringify({ payoutId: retried.entityId, willRetry: true }) }, `attempt-${retried.entityId}`, at)]);
    const otherCron = await seedFact(t, "cron-run", creatorId, at);
    await insertRows(t, [asInsert({ ...otherCron.row, context: JSON.stringify({ jobId: otherCron.entityId, cronType: "process-payouts" }) }, `other-${otherCron.entityId}`, at)]);

    const report = await verifyAudit(t.db, window);
    expect(report.missing.map((m) => m.entityId).sort()).toEqual([otherCron.entityId, retried.entityId].sort());
    expect(report.duplicated).toEqual([]);
    expect(satisfied.every((id) => !report.missing.some((m) => m.entityId === id))).toBe(true);
  });

  it("reports every cron run of the window that never did its work: failed for good (its row there or not), or stuck RUNNING", async () => {
    const window = hour(12);
    const run = (id: string, status: "SUCCEEDED" | "FAILED" | "RUNNING", startedAt: Date, finishedAt: Date | null) =>
      t.db.insert(cronRun).values({ id, queue: "maintenance", jobId: id, cronType: "cleanup-logs", trigger: "schedule", status, startedAt, finishedAt });
    await run("maintenance:ok", "SUCCEEDED", inside(12, 1), inside(12, 2));
    await run("maintenance:failed", "FAILED", inside(12, 3), inside(12, 4));
    await insertRows(t, [asInsert(auditRows.logCronError("cleanup-logs", new Error("boom"), { cronRunId: "maintenance:failed" }), "cron-error:maintenance:failed", inside(12, 4))]);
    await run("maintenance:stuck", "RUNNING", inside(12, 5), null);
    const report = await verifyAudit(t.db, window);
    expect(report.unfinishedRuns).toEqual([
      { cronRunId: "maintenance:failed", cronType: "cleanup-logs", status: "FAILED", at: inside(12, 4).toISOString() },
      { cronRunId: "maintenance:stuck", cronType: "cleanup-logs", status: "RUNNING", at: inside(12, 5).toISOString() },
    ]);
    // A run started moments ago is running, not stuck.
    const now = new Date();
    await run("maintenance:now", "RUNNING", now, null);
    const recent = await verifyAudit(t.db, { since: new Date(now.getTime() - 60_000), until: new Date(now.getTime() + 60_000) });
    expect(recent.unfinishedRuns).toEqual([]);
  });

  it("refuses an empty or inverted window, naming it", async () => {
    await expect(verifyAudit(t.db, { since: new Date(2), until: new Date(1) })).rejects.toThrow(/since .* must be before until/);
    await expect(verifyAudit(t.db, { since: new Date(Number.NaN) })).rejects.toThrow(/since is not a valid Date/);
  });
});
