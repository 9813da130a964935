// Test support: facts of every checked table and audit rows for them, at chosen times.
import { createId, creator, cronRun, dailyRoomDeletion, emailDelivery, log, payout, user, type DbHandle } from "@callastar/db";
import { auditRows, type StoredRow } from "@callastar/audit-log";
import type { AuditCheck } from "../report";

type LogInsert = typeof log.$inferInsert;

/** A built row as a drizzle insert, with a chosen id and time. */
export function asInsert(row: StoredRow, id: string, at: Date): LogInsert {
  return {
    id,
    type: row.type as LogInsert["type"],
    status: row.status as LogInsert["status"],
    message: row.message,
    context: row.context ? (JSON.parse(row.context) as Record<string, unknown>) : null,
    error: row.error,
    createdAt: at,
  };
}

/** One fact of `check`, inserted with its timestamp `at`; returns its entity id and the row builder for it. */
export async function seedFact(h: Pick<DbHandle, "db">, check: AuditCheck, creatorId: string, at: Date, label = createId()): Promise<{ entityId: string; row: StoredRow }> {
  switch (check) {
    case "email-sent": {
      const key = `test-email:${label}`;
      await h.db.insert(emailDelivery).values({ idempotencyKey: key, emailType: "booking-reminder", bookingId: `b-${label}`, userId: `u-${label}`, recipientEmail: `${label}@example.com`, providerMessageId: `msg-${label}`, createdAt: at });
      return { entityId: key, row: auditRows.logEmailSent(`b-${label}`, `u-${label}`, "booking-reminder", { idempotencyKey: key }) };
    }
    case "payout-paid":
    case "payout-failed":
    case "payout-created": {
      const id = `po-${label}`;
      const status = check === "payout-paid" ? "PAID" : check === "payout-failed" ? "FAILED" : "REQUESTED";
      // At most one automatic payout in flight per creator (a unique index): each gets its own creator.
      const owner = check === "payout-created" ? await newCreator(h, label) : creatorId;
      await h.db.insert(payout).values({
        id,
        creatorId: owner,
        amount: 5000,
        currency: "eur",
        status,
        isAutomatic: check === "payout-created",
        createdAt: at,
        ...(status === "PAID" ? { paidAt: at, stripeTransferId: `tr_${label}` } : {}),
        ...(status === "FAILED" ? { failedAt: at, failureReason: "account closed" } : {}),
      });
      const row =
        check === "payout-paid"
          ? auditRows.logPayoutSuccess(id, owner, 5000, "eur", {})
          : check === "payout-failed"
            ? auditRows.logPayoutError(id, owner, new Error("account closed"), { final: true })
            : auditRows.logSuccess("NOTIFICATION_SENT", `Automatic payout ${id} created`, { payoutId: id });
      return { entityId: id, row };
    }
    case "room-deleted":
    case "room-refused": {
      const id = `del-${label}`;
      const room = `room-${label}`;
      await h.db.insert(dailyRoomDeletion).values({ id, bookingId: `b-${label}`, roomName: room, status: check === "room-deleted" ? "DELETED" : "REFUSED", deletedBy: "cron_job", requestedAt: at, finishedAt: at });
      const row = check === "room-deleted" ? auditRows.logDailyRoomDeleted(room, `b-${label}`, {}) : auditRows.logDailyRoomError(room, `b-${label}`, new Error("refused"), { final: true });
      return { entityId: id, row };
    }
    case "cron-run":
    case "cron-error": {
      const id = `run-${label}`;
      await h.db.insert(cronRun).values({ id, cronType: "cleanup-logs", trigger: "schedule", status: check === "cron-run" ? "SUCCEEDED" : "FAILED", itemsProcessed: 3, startedAt: new Date(at.getTime() - 1000), finishedAt: at });
      const row = check === "cron-run" ? auditRows.logCronRun("cleanup-logs", 3, 1000, { jobId: id }) : auditRows.logCronError("cleanup-logs", new Error("boom"), { jobId: id });
      return { entityId: id, row };
    }
  }
}

async function newCreator(h: Pick<DbHandle, "db">, label: string): Promise<string> {
  const [u] = await h.db.insert(user).values({ email: `auto-${label}@example.com`, name: `Auto ${label}`, timezone: "UTC" }).returning();
  const [c] = await h.db.insert(creator).values({ userId: u!.id, stripeAccountId: `acct_auto_${label}`.slice(0, 40), isStripeOnboarded: true }).returning();
  return c!.id;
}

/** Inserts audit rows (ids and times chosen by the test). */
export async function insertRows(h: Pick<DbHandle, "db">, rows: LogInsert[]): Promise<void> {
  if (rows.length) await h.db.insert(log).values(rows);
}
