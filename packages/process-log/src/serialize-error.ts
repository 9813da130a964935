// Provider errors carry what must not be logged: Stripe's `raw` and `headers`, fetch responses,
// a postgres.js error's connection options. Only these fields of an error are kept (allow-list),
// and its text goes through the scrub.
import { scrubText } from "./scrub";

const SAFE_FIELDS = [
  "code",
  "statusCode",
  "status",
  // Not `type`: the output's `type` is the error's class (Stripe's own `type` repeats it anyway).
  "rawType",
  "requestId",
  "errno",
  "syscall",
  "address",
  "port",
  "kind",
  "stage",
  "retryAfterMs",
  "severity",
  "routine",
] as const;

const MAX_CAUSE_DEPTH = 4;

/** A JSON-safe view of `error` without secrets: type, message, stack, a few codes, and its causes. */
export function serializeError(error: unknown, depth = 0): Record<string, unknown> {
  if (!(error instanceof Error)) {
    return { type: typeof error, message: scrubText(typeof error === "string" ? error : safeString(error)) };
  }
  const out: Record<string, unknown> = { type: error.name || error.constructor?.name || "Error", message: scrubText(error.message) };
  if (error.stack) out.stack = scrubText(error.stack);
  const fields = error as unknown as Record<string, unknown>;
  for (const field of SAFE_FIELDS) {
    const value = fields[field];
    if (typeof value === "number" || typeof value === "boolean") out[field] = value;
    else if (typeof value === "string") out[field] = scrubText(value);
  }
  if (depth < MAX_CAUSE_DEPTH) {
    if (error.cause !== undefined) out.cause = serializeError(error.cause, depth + 1);
    if (error instanceof AggregateError) out.errors = error.errors.slice(0, 5).map((e: unknown) => serializeError(e, depth + 1));
  }
  return out;
}

function safeString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
