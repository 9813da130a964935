// One statement records a delivery and writes its EMAIL_SENT row: both commit, or neither does.
// Before, the record, the audit row (group commit) and a "logged" mark were three commits, and a
// crash between them needed a recovery lookup; now a delivery record always has its audit row.
import { getTableColumns } from "drizzle-orm";
import { getTableConfig } from "drizzle-orm/pg-core";
import { emailDelivery, type Sql } from "@callastar/db";
import { insertRowsAfter, ROW_PARAMETER_COUNT, rowParameters, type StoredRow } from "@callastar/logger";

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

// The delivery's own values, bound after the audit row's column arrays.
const VALUES = ["idempotencyKey", "emailType", "bookingId", "userId", "recipientEmail", "providerMessageId"] as const;

function buildStatement(): string {
  const columns = getTableColumns(emailDelivery);
  const names = [...VALUES.map((key) => quote(columns[key].name)), quote(columns.loggedAt.name)];
  const params = VALUES.map((_key, i) => `$${ROW_PARAMETER_COUNT + 1 + i}::text`);
  const withClause =
    `WITH d AS (INSERT INTO ${quote(getTableConfig(emailDelivery).name)} (${names.join(", ")}) ` +
    `VALUES (${params.join(", ")}, CURRENT_TIMESTAMP) ON CONFLICT (${quote(columns.idempotencyKey.name)}) DO NOTHING RETURNING 1)`;
  // A delivery recorded already (a concurrent copy got there first) keeps the audit row it came with.
  return insertRowsAfter(withClause, "EXISTS (SELECT 1 FROM d)");
}

/** The constant record-and-audit statement (prepared once per connection). */
export const RECORD_DELIVERY_WITH_AUDIT_ROW = buildStatement();

/** What is recorded of one accepted email. */
export interface DeliveryRecord {
  idempotencyKey: string;
  emailType: string;
  bookingId: string | null;
  userId: string | null;
  recipientEmail: string;
  providerMessageId: string;
}

/** Records `delivery` and commits `auditRow` with it; false when the delivery was already recorded. */
export async function recordDelivery(sql: Sql, delivery: DeliveryRecord, auditRow: StoredRow): Promise<boolean> {
  const values = VALUES.map((key) => delivery[key]);
  const result = await sql.unsafe(RECORD_DELIVERY_WITH_AUDIT_ROW, [...rowParameters([auditRow]), ...values] as never, { prepare: true });
  return result.count === 1;
}
