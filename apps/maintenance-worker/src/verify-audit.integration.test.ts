import { Redis } from "ioredis";
import { and, eq, sql } from "drizzle-orm";
import { log, type LogRow } from "@callastar/db";
import { Producer } from "@callastar/producer";
import { asInsert, insertRows, seedFact } from "@callastar/reconciler/testing";
import type { WorkerApp } from "@callastar/runtime";
import { createTestDatabase, obliteratePrefix, seedBooking, testEnv, uniquePrefix, waitFor, type TestDatabase } from "@callastar/testing";
import { startMaintenanceWorker } from "./app";
import { loadMaintenanceEnv } from "./env";

let t: TestDatabase;
let redis: Redis;
let creatorId: string;
const prefix = uniquePrefix("verify");

beforeAll(async () => {
  t = await createTestDatabase();
  redis = new Redis(testEnv.redisUrl, { maxRetriesPerRequest: 1 });
  creatorId = (await seedBooking(t, { callDateTime: new Date(Date.now() + 86_400_000) })).creatorId;
});
afterAll(async () => {
  redis.disconnect();
  await obliteratePrefix(prefix);
  await t.drop();
});

/** Starts a maintenance worker, runs verify-audit once through the queue and returns its CRON_RUN row. */
async function runOnce(extraEnv: Record<string, string>, runsBefore: number): Promise<LogRow> {
  const app: WorkerApp = await startMaintenanceWorker(
    loadMaintenanceEnv({ DATABASE_URL: t.url, REDIS_URL: testEnv.redisUrl, QUEUE_PREFIX: prefix, ...extraEnv }),
    { exit: () => undefined },
  );
  const producer = new Producer({ connection: redis, prefix });
  try {
    await producer.runCron("verify-audit", "test");
    const runs = await waitFor("the verify-audit CRON_RUN", async () => {
      const r = await t.db
        .select()
        .from(log)
        .where(and(eq(log.type, "CRON_RUN"), sql`${log.context}->>'cronType' = 'verify-audit'`))
        .orderBy(log.createdAt);
      return r.length > runsBefore ? r : null;
    });
    return runs.at(-1)!;
  } finally {
    await producer.close();
    await app.shutdown("test over");
  }
}

it("records missing and duplicated counts per check in its CRON_RUN, and repairs only when told to", async () => {
  const recent = new Date(Date.now() - 10 * 60_000);
  const paid = await seedFact(t, "payout-paid", creatorId, recent);
  const email = await seedFact(t, "email-sent", creatorId, recent);
  await insertRows(t, [asInsert(email.row, `email-sent:${email.entityId}`, recent), asInsert(email.row, `legacy-${email.entityId}`, recent)]);
  // Older than the lookback: not this run's business.
  await seedFact(t, "payout-failed", creatorId, new Date(Date.now() - 3 * 3600_000));

  const first = await runOnce({ VERIFY_AUDIT_LOOKBACK_MINUTES: "120" }, 0);
  expect(first.context).toMatchObject({
    cronType: "verify-audit",
    missing: 1,
    duplicated: 1,
    repaired: 0,
    autoRepair: false,
    checks: {
      "payout-paid": { checked: 1, missing: 1, duplicated: 0, repaired: 0 },
      "email-sent": { checked: 1, missing: 0, duplicated: 1, repaired: 0 },
      "payout-failed": { checked: 0, missing: 0 },
    },
    discrepancies: [`missing payout-paid ${paid.entityId}`, `duplicated email-sent ${email.entityId}`],
  });
  expect(await t.db.select().from(log).where(eq(log.id, `payout-paid:${paid.entityId}`))).toEqual([]);

  const second = await runOnce({ VERIFY_AUDIT_LOOKBACK_MINUTES: "120", VERIFY_AUDIT_REPAIR: "true" }, 1);
  expect(second.context).toMatchObject({ missing: 0, duplicated: 1, repaired: 1, autoRepair: true, checks: { "payout-paid": { repaired: 1, missing: 0 } } });
  const [repaired] = await t.db.select().from(log).where(eq(log.id, `payout-paid:${paid.entityId}`));
  expect(repaired?.context).toMatchObject({ recovered: true, recoveredBy: "audit:verify" });
});

it("refuses a malformed VERIFY_AUDIT_REPAIR, naming it", () => {
  expect(() => loadMaintenanceEnv({ DATABASE_URL: t.url, REDIS_URL: testEnv.redisUrl, VERIFY_AUDIT_REPAIR: "yes" })).toThrow(/VERIFY_AUDIT_REPAIR: must be true or false/);
});

it("reports a booking marked reminded whose emails were never delivered, past the configured grace, in its CRON_RUN", async () => {
  // Due 20 minutes ago (its call started 5 minutes ago): past a 10-minute grace.
  const dueAt = Date.now() - 20 * 60_000;
  const b = await seedBooking(t, { callDateTime: new Date(dueAt + 15 * 60_000), reminderSent: true });
  const run = await runOnce({ VERIFY_AUDIT_LOOKBACK_MINUTES: "120", VERIFY_AUDIT_REMINDER_GRACE_MINUTES: "10" }, 2);
  expect(run.context).toMatchObject({
    unfulfilled: 1,
    checks: { "reminder-emails": { checked: 1, unfulfilled: 1 } },
    discrepancies: expect.arrayContaining([`unfulfilled reminder-emails ${b.bookingId}`]),
  });
});
