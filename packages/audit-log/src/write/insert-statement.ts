// The hot path's only statement: constant text (prepared once per connection, one round trip per
// batch) instead of drizzle's per-row builder; names and casts come from the drizzle table.
import { getTableColumns } from "drizzle-orm";
import { getTableConfig, PgEnumColumn, type PgColumn } from "drizzle-orm/pg-core";
import { log, type Sql } from "@callastar/db";
import type { StoredRow } from "./row";

// Every column of "Log", in one fixed order; a missing or extra key is a type error.
const COLUMN_ORDER = ["id", "type", "status", "message", "context", "error", "createdAt"] as const;
type _AllColumns = Exclude<keyof StoredRow, (typeof COLUMN_ORDER)[number]> extends never ? true : never;
const _check: _AllColumns = true;
void _check;

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

function castOf(column: PgColumn): string {
  // Enum columns need their quoted type name ("LogType"); others use their SQL type (timestamp(3)…).
  if (column instanceof PgEnumColumn) return quote(column.enum.enumName);
  return column.getSQLType().replace(/\s+\(/, "(");
}

// INSERT INTO "Log" (…) SELECT c0::text, … FROM unnest($1::text[], …) AS t(c0, …), in parts.
function statementParts() {
  const columns = getTableColumns(log);
  const table = quote(getTableConfig(log).name);
  const names = COLUMN_ORDER.map((key) => quote(columns[key].name));
  const params = COLUMN_ORDER.map((_key, i) => `$${i + 1}::text[]`);
  const aliases = COLUMN_ORDER.map((_key, i) => `c${i}`);
  const casts = COLUMN_ORDER.map((key, i) => `c${i}::${castOf(columns[key])}`);
  return {
    insert: `INSERT INTO ${table} (${names.join(", ")}) SELECT ${casts.join(", ")} FROM unnest(${params.join(", ")}) AS t(${aliases.join(", ")})`,
    skip: ` ON CONFLICT (${quote(columns.id.name)}) DO NOTHING`,
  };
}
const PARTS = statementParts();

/** Parameters the caller of {@link insertRowsAfter}'s statement binds first ($1..$7). */
export const ROW_PARAMETER_COUNT = COLUMN_ORDER.length;

/** The row being inserted, as SQL expressions over its text columns (for insertRowsAfter's condition). */
export type RowColumnsSql = { readonly [K in (typeof COLUMN_ORDER)[number]]: string };
const ROW_COLUMNS_SQL = Object.fromEntries(COLUMN_ORDER.map((key, i) => [key, `t.c${i}`])) as RowColumnsSql;

/**
 * An INSERT of audit rows behind a caller's data-modifying WITH clause, in one statement: the rows
 * commit exactly when the caller's effect does. `$1..$7` are {@link rowParameters}; the caller's own
 * parameters start at `$8`. A row is written only where `onlyIf(row)` holds (e.g. its context names
 * a record the WITH clause inserted).
 */
export function insertRowsAfter(withClause: string, onlyIf: (row: RowColumnsSql) => string): string {
  return `${withClause} ${PARTS.insert} WHERE ${onlyIf(ROW_COLUMNS_SQL)}`;
}

/** The column arrays of `rows`, in the order the INSERT statements bind them. */
export function rowParameters(rows: readonly StoredRow[]): (string | null)[][] {
  return COLUMN_ORDER.map((key) => rows.map((row) => row[key]));
}

/** The constant multi-row INSERT … SELECT FROM unnest(…); callers may append WHERE / ON CONFLICT. */
export const INSERT_LOG_ROWS = PARTS.insert;
// Every write of the logger skips ids already present: a retry after a lost answer, a replay and a
// row written twice are then no-ops, with no second statement to choose.
const INSERT_LOG_ROWS_SKIP_EXISTING = PARTS.insert + PARTS.skip;

/** Writes rows in one statement; rows whose id is already in "Log" are skipped (ON CONFLICT). */
export async function insertRows(sql: Sql, rows: readonly StoredRow[]): Promise<void> {
  // Array parameters, not one JSON parameter: PostgreSQL's JSON parsing costs more than it saves.
  await sql.unsafe(INSERT_LOG_ROWS_SKIP_EXISTING, rowParameters(rows) as never, { prepare: true });
}
