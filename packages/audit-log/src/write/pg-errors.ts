// Decides what a failed INSERT means for the rows in it. Only errors that PostgreSQL raises about a
// row's own values make a row "bad"; anything else (network, auth, missing table, lock timeout…)
// is treated as an outage: rows are held and retried, never dropped for a fault that is not theirs.

/** How a failed write must be handled. */
export type WriteFailure = "row-data" | "unavailable";

// SQLSTATE classes about the data itself: 22 data exception (bad enum value, bad jsonb, NUL byte),
// 23 integrity constraint violation, 54 program limit exceeded (row too large).
const ROW_DATA_CLASSES = new Set(["22", "23", "54"]);

/** Classifies an error thrown by postgres.js for an INSERT of audit rows. */
export function classifyWriteError(error: unknown): WriteFailure {
  const code = codeOf(error);
  if (code && /^[0-9A-Z]{5}$/.test(code) && ROW_DATA_CLASSES.has(code.slice(0, 2))) return "row-data";
  return "unavailable";
}

function codeOf(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : undefined;
}

/** A short one-line description of a write error for operator messages. */
export function describeWriteError(error: unknown): string {
  if (error instanceof Error) {
    const code = codeOf(error);
    return code ? `${error.message} (${code})` : error.message;
  }
  return String(error);
}
