import { eq, sql } from "drizzle-orm";
import { jobOutbox, log } from "@callastar/db";
import { waitFor } from "@callastar/testing";
import { useMaintenanceWorker } from "./test-worker";

const w = useMaintenanceWorker("prune", { OUTBOX_RETENTION_HOURS: "24" });

it("prune-job-outbox deletes finished rows past the retention, never an unrelayed row or an undelivered email, and audits the run", async () => {
  const hoursAgo = (h: number) => new Date(Date.now() - h * 3600_000);
  const row = (id: string, fields: Partial<typeof jobOutbox.$inferInsert>) => ({
    id,
    kind: "enqueuePayout",
    input: { payoutId: id },
    jobId: `payout-${id}`,
    createdAt: hoursAgo(100),
    ...fields,
  });
  await w.t.db.insert(jobOutbox).values([
    row("relayed-old", { relayedAt: hoursAgo(99), completedAt: hoursAgo(99), outcome: "relayed", relayCount: 1 }),
    row("delivered-old", { kind: "enqueueEmail", idempotencyKey: "k1", relayedAt: hoursAgo(99), completedAt: hoursAgo(30), outcome: "delivered" }),
    row("relayed-recent", { relayedAt: hoursAgo(2), completedAt: hoursAgo(2), outcome: "relayed" }),
    row("unrelayed-old", {}),
    row("undelivered-old", { kind: "enqueueEmail", idempotencyKey: "k2", relayedAt: hoursAgo(99) }),
  ]);

  await w.producer.runCron("prune-job-outbox", "test");
  const [run] = await waitFor("CRON_RUN", async () => {
    const r = await w.t.db.select().from(log).where(eq(log.type, "CRON_RUN"));
    return r.length ? r : null;
  });
  expect(run!.context).toMatchObject({ cronType: "prune-job-outbox", itemsProcessed: 2, retentionHours: 24 });
  const left = await w.t.db.select({ id: jobOutbox.id }).from(jobOutbox).orderBy(sql`${jobOutbox.id}`);
  expect(left.map((r) => r.id)).toEqual(["relayed-recent", "undelivered-old", "unrelayed-old"]);
});
