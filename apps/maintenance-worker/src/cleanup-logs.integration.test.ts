import { eq, sql } from "drizzle-orm";
import { log, logHourlyStat } from "@callastar/db";
import { waitFor } from "@callastar/testing";
import { useMaintenanceWorker } from "./test-worker";

const w = useMaintenanceWorker("maint", { LOG_RETENTION_DAYS: "90", LOG_CLEANUP_BATCH_SIZE: "7" });

it("cleanup-logs deletes rows older than the retention on both sides of the boundary, in batches, and audits the run", async () => {
  const day = 24 * 3600_000;
  const at = (daysAgo: number) => new Date(Date.now() - daysAgo * day);
  const rows = [
    ...Array.from({ length: 20 }, (_, i) => ({ id: `old-ok-${i}`, status: "SUCCESS" as const, createdAt: at(91 + i) })),
    ...Array.from({ length: 5 }, (_, i) => ({ id: `old-ko-${i}`, status: "ERROR" as const, createdAt: at(120 + i) })),
    { id: "just-inside", status: "SUCCESS" as const, createdAt: new Date(Date.now() - 90 * day + 60_000) },
    { id: "recent", status: "ERROR" as const, createdAt: at(1) },
  ];
  await w.t.db.insert(log).values(rows.map((r) => ({ ...r, type: "SYSTEM_ERROR" as const, message: r.id })));

  await w.producer.runCron("cleanup-logs", "test");
  const [run] = await waitFor("CRON_RUN", async () => {
    const r = await w.t.db.select().from(log).where(eq(log.type, "CRON_RUN"));
    return r.length ? r : null;
  });
  expect(run!.context).toMatchObject({
    cronType: "cleanup-logs",
    itemsProcessed: 25,
    retentionDays: 90,
    successDeleted: 20,
    errorDeleted: 5,
    trigger: "manual",
    duration: expect.any(Number),
    startTime: expect.any(String),
    endTime: expect.any(String),
  });
  expect((run!.context as { batches: number }).batches).toBeGreaterThanOrEqual(4); // 25 rows, 7 per batch
  const left = await w.t.db.select({ id: log.id }).from(log).where(eq(log.type, "SYSTEM_ERROR"));
  expect(left.map((r) => r.id).sort()).toEqual(["just-inside", "recent"]);
  // The hourly rollup followed the deletes exactly.
  const [{ rollup }] = (await w.t.db.select({ rollup: sql<string>`coalesce(sum(${logHourlyStat.count}), 0)` }).from(logHourlyStat)) as [{ rollup: string }];
  const [{ total }] = (await w.t.db.select({ total: sql<string>`count(*)` }).from(log)) as [{ total: string }];
  expect(Number(rollup)).toBe(Number(total));
});
