// Deliveries, their EMAIL_SENT rows and a reminder's mark commit in one statement, or none do. Row ids
// derive from the idempotency key: no second row on retry, no pairing through (redactable) context.
import { getTableColumns } from "drizzle-orm";
import { getTableConfig, type PgTable } from "drizzle-orm/pg-core";
import { booking, emailDelivery, type Sql } from "@callastar/db";
import { insertRowsAfter, ROW_PARAMETER_COUNT, rowParameters, type StoredRow } from "@callastar/audit-log";
import { EMAIL_SENT_ID_PREFIX, SKIP_EXISTING_LOG_ROWS } from "./audit-once";

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;
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
const d = getTableColumns(emailDelivery);
const KEY = quote(d.idempotencyKey.name);
const LOGGED_AT = quote(d.loggedAt.name);

function buildStatement(): string {
  const b = getTableColumns(booking);
  const names = [...VALUES.map((key) => quote(d[key].name)), LOGGED_AT];
  const arrays = VALUES.map((_key, i) => `$${ROW_PARAMETER_COUNT + 1 + i}::text[]`);
  const aliases = VALUES.map((_key, i) => `v${i}`);
  const withClause =
    `WITH d AS (INSERT INTO ${tableName(emailDelivery)} (${names.join(", ")}) ` +
    `SELECT ${aliases.join(", ")}, CURRENT_TIMESTAMP FROM unnest(${arrays.join(", ")}) AS v(${aliases.join(", ")}) ` +
    `ON CONFLICT (${KEY}) DO NOTHING RETURNING ${KEY}), ` +
    // Data-modifying CTEs run whether or not the main query reads them; a null booking skips it.
    `m AS (UPDATE ${tableName(booking)} SET ${quote(b.reminderSent.name)} = true ` +
    `WHERE ${quote(b.id.name)} = $${BOOKING_PARAM}::text AND NOT ${quote(b.reminderSent.name)} RETURNING 1)`;
  // A delivery already recorded (a concurrent copy got there first) keeps the row it came with.
  const onlyNew = (row: { id: string }) => `${row.id} IN (SELECT ${literal(EMAIL_SENT_ID_PREFIX)} || ${KEY} FROM d)`;
  return insertRowsAfter(withClause, onlyNew) + SKIP_EXISTING_LOG_ROWS;
}

/** The constant record-and-audit statement (prepared once per connection). */
const RECORD_DELIVERIES_WITH_AUDIT_ROWS = buildStatement();

/**
 * Records `deliveries` and commits their audit rows with them (row i audits delivery i, and its id
 * is `email-sent:<idempotencyKey>`); with `remindedBookingId`, marks that booking's reminder sent
 * in the same statement. Returns how many audit rows were written (= deliveries that were new).
 */
export async function recordDeliveries(
  sql: Pick<Sql, "unsafe">,
  deliveries: ReadonlyArray<{ record: DeliveryRecord; auditRow: StoredRow }>,
  remindedBookingId: string | null = null,
): Promise<number> {
  const values = VALUES.map((key) => deliveries.map((x) => x.record[key]));
  const rows = rowParameters(deliveries.map((x) => x.auditRow));
  const result = await sql.unsafe(RECORD_DELIVERIES_WITH_AUDIT_ROWS, [...rows, ...values, remindedBookingId] as never, { prepare: true });
  return result.count;
}
