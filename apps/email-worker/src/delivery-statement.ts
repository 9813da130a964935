// One statement records accepted emails and writes their EMAIL_SENT rows — and, for a reminder,
// marks the booking reminded: all of it commits, or none of it does. Before, each email took a
// record, an audit row (group commit) and a "logged" mark — three commits, with a recovery lookup
// for a crash between them — and the reminder a fourth; a delivery record now always has its row.
import { getTableColumns } from "drizzle-orm";
import { getTableConfig, type PgTable } from "drizzle-orm/pg-core";
import { booking, emailDelivery, type Sql } from "@callastar/db";
import { insertRowsAfter, ROW_PARAMETER_COUNT, rowParameters, type StoredRow } from "@callastar/logger";

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
const tableName = (table: PgTable) => quote(getTableConfig(table).name);

/** What is recorded of one accepted email. */
export interface DeliveryRecord {
  idempotencyKey: string;
  emailType: string;
  bookingId: string | null;
  userId: string | null;
  recipientEmail: string;
  providerMessageId: string;
}

// The deliveries' columns, bound as arrays after the audit rows' column arrays, then the booking.
const VALUES = ["idempotencyKey", "emailType", "bookingId", "userId", "recipientEmail", "providerMessageId"] as const satisfies ReadonlyArray<keyof DeliveryRecord>;
const BOOKING_PARAM = ROW_PARAMETER_COUNT + VALUES.length + 1;

function buildStatement(): string {
  const d = getTableColumns(emailDelivery);
  const b = getTableColumns(booking);
  const names = [...VALUES.map((key) => quote(d[key].name)), quote(d.loggedAt.name)];
  const arrays = VALUES.map((_key, i) => `$${ROW_PARAMETER_COUNT + 1 + i}::text[]`);
  const aliases = VALUES.map((_key, i) => `v${i}`);
  const key = quote(d.idempotencyKey.name);
  const withClause =
    `WITH d AS (INSERT INTO ${tableName(emailDelivery)} (${names.join(", ")}) ` +
    `SELECT ${aliases.join(", ")}, CURRENT_TIMESTAMP FROM unnest(${arrays.join(", ")}) AS v(${aliases.join(", ")}) ` +
    `ON CONFLICT (${key}) DO NOTHING RETURNING ${key}), ` +
    // Data-modifying CTEs run whether or not the main query reads them; a null booking skips it.
    `m AS (UPDATE ${tableName(booking)} SET ${quote(b.reminderSent.name)} = true ` +
    `WHERE ${quote(b.id.name)} = $${BOOKING_PARAM}::text AND NOT ${quote(b.reminderSent.name)} RETURNING 1)`;
  // Each audit row names its email's idempotency key; a delivery already recorded (a concurrent
  // copy got there first) keeps the row it came with.
  return insertRowsAfter(withClause, (row) => `(${row.context}::jsonb ->> 'idempotencyKey') IN (SELECT ${key} FROM d)`);
}

/** The constant record-and-audit statement (prepared once per connection). */
export const RECORD_DELIVERIES_WITH_AUDIT_ROWS = buildStatement();

/**
 * Records `deliveries` and commits their audit rows with them (row i audits delivery i, and its
 * context carries the delivery's idempotencyKey); with `remindedBookingId`, marks that booking's
 * reminder sent in the same statement. Returns how many deliveries were new.
 */
export async function recordDeliveries(
  sql: Sql,
  deliveries: ReadonlyArray<{ record: DeliveryRecord; auditRow: StoredRow }>,
  remindedBookingId: string | null = null,
): Promise<number> {
  const values = VALUES.map((key) => deliveries.map((d) => d.record[key]));
  const rows = rowParameters(deliveries.map((d) => d.auditRow));
  const result = await sql.unsafe(RECORD_DELIVERIES_WITH_AUDIT_ROWS, [...rows, ...values, remindedBookingId] as never, { prepare: true });
  return result.count;
}
