// Audit rows with a deterministic id, written at most once: a retried job, a second copy of the
// worker or a racing sweep that writes the same row again finds its id taken and writes nothing.
import { getTableColumns } from "drizzle-orm";
import { log, type Sql } from "@callastar/db";
import { INSERT_LOG_ROWS, rowParameters, type StoredRow } from "@callastar/audit-log";

/** Appended to an INSERT INTO "Log": a row whose id is already present is skipped. */
export const SKIP_EXISTING_LOG_ROWS = ` ON CONFLICT ("${getTableColumns(log).id.name}") DO NOTHING`;

const INSERT_LOG_ROWS_ONCE = INSERT_LOG_ROWS + SKIP_EXISTING_LOG_ROWS;

/** Inserts `rows` in one statement, skipping ids already present; returns how many were new. */
export async function insertAuditRowsOnce(sql: Pick<Sql, "unsafe">, rows: readonly StoredRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const result = await sql.unsafe(INSERT_LOG_ROWS_ONCE, rowParameters(rows) as never, { prepare: true });
  return result.count;
}

/** The prefix of an EMAIL_SENT row's id; the rest is its email's idempotency key. */
export const EMAIL_SENT_ID_PREFIX = "email-sent:";

/** Deterministic `Log.id`s of the email path (the reconciler looks them up by these). */
export const emailAuditIds = {
  /** The EMAIL_SENT row of the EmailDelivery keyed `idempotencyKey`. */
  emailSent: (idempotencyKey: string) => `${EMAIL_SENT_ID_PREFIX}${idempotencyKey}`,
  /** The NOTIFICATION_SENT `skipped: true` row of a reminder skipped for good. */
  reminderSkip: (bookingId: string, callDateTime: Date | null) =>
    `reminder-skip:${bookingId}:${callDateTime ? callDateTime.toISOString() : "not-found"}`,
};

