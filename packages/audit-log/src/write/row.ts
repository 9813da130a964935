import { createId, type NewLogRow } from "@callastar/db";
import type { LogContext } from "../log-types";
import { errorText } from "../serialize/error-text";
import { isoAt } from "../serialize/iso-time";
import { flatRecordJson, storableString, toSafeJson } from "../serialize/safe-json";

/**
 * A `Log` row as sent to PostgreSQL: every column as its text form, keyed by the drizzle table's
 * own property names, so adding or renaming a column breaks the build here, not in production.
 * Plain strings also make the row trivially spoolable as one JSON line.
 */
export type StoredRow = { [K in keyof Required<NewLogRow>]: string | null } & {
  id: string;
  type: string;
  status: string;
  message: string;
  createdAt: string;
};

/** What a log call wants written. */
export interface RowInput {
  type: string;
  status: string;
  message: string;
  context?: LogContext | undefined;
  error?: unknown;
  hasError: boolean;
}

/** Builds the row at call time: client-side cuid and timestamp, redacted JSON-safe context, error text. */
export function buildRow(input: RowInput, nowMs: number = Date.now()): StoredRow {
  return {
    id: createId(),
    type: input.type,
    status: input.status,
    message: storableString(String(input.message)),
    context: contextJson(input.context),
    error: input.hasError ? errorText(input.error) : null,
    createdAt: isoAt(nowMs),
  };
}

function contextJson(context: unknown): string | null {
  if (context === undefined || context === null) return null;
  if (typeof context === "object" && !Array.isArray(context)) {
    const flat = flatRecordJson(context);
    if (flat !== undefined) return flat;
  }
  try {
    // A non-object context (a string, an array) from untyped callers is kept, under `value`.
    const safe = typeof context === "object" && !Array.isArray(context) ? context : { value: context };
    return JSON.stringify(toSafeJson(safe));
  } catch (error) {
    return JSON.stringify({ unserializableContext: String(error) });
  }
}

/** buildRow, and should it ever throw (it is defensive), a row that still leaves a trace. */
export function buildRowSafely(input: RowInput): StoredRow {
  try {
    return buildRow(input);
  } catch (error) {
    return buildRow({ type: input.type, status: input.status, message: String(input.message), hasError: true, error });
  }
}

/** Checks that a parsed spool line has the shape of a StoredRow. */
export function isStoredRow(value: unknown): value is StoredRow {
  if (typeof value !== "object" || value === null) return false;
  const r = value as Record<string, unknown>;
  const str = (k: string) => typeof r[k] === "string";
  const strOrNull = (k: string) => r[k] === null || typeof r[k] === "string";
  return str("id") && str("type") && str("status") && str("message") && str("createdAt") && strOrNull("context") && strOrNull("error");
}
