// Builds the `error` column: everything an operator needs to debug from the row alone: the stack,
// the properties HTTP/SDK errors carry (status, code…), and every `cause` down the chain.
import { storableString, toSafeJson } from "./safe-json";

/** Longest `error` text stored; beyond it the text is cut with an explicit marker, never silently. */
export const MAX_ERROR_TEXT = 64 * 1024;
const MAX_CAUSES = 10;
const SKIPPED_PROPS = new Set(["stack", "message", "name", "cause", "errors"]);

/** The `error` column for any thrown value: an Error's stack, its props and its cause chain, or the value serialized. */
export function errorText(thrown: unknown): string {
  try {
    return buildText(thrown);
  } catch (failure) {
    // Last resort (a hostile Proxy, say): still leave something an operator can read.
    return `[error could not be serialized: ${safe(() => failure)}] ${safe(() => thrown)}`;
  }
}

function buildText(thrown: unknown): string {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  let current: unknown = thrown;
  for (let i = 0; i <= MAX_CAUSES; i++) {
    seen.add(current);
    parts.push((i === 0 ? "" : "Caused by: ") + describe(current));
    if (!(current instanceof Error) || current.cause === undefined) break;
    if (seen.has(current.cause)) {
      parts.push("Caused by: [Circular cause]");
      break;
    }
    if (i === MAX_CAUSES) parts.push("Caused by: [more causes omitted]");
    current = current.cause;
  }
  return clip(storableString(parts.join("\n")));
}

function describe(value: unknown): string {
  if (!(value instanceof Error)) return serialize(value);
  const head = headOf(value);
  const props = ownProps(value);
  const lines = [head];
  if (props) lines.push(`  ${props}`);
  if (value instanceof AggregateError && Array.isArray(value.errors)) {
    value.errors.forEach((inner: unknown, i: number) => {
      lines.push(`  [${i}] ${describe(inner).replace(/\n/g, "\n  ")}`);
    });
  }
  return lines.join("\n");
}

function headOf(error: Error): string {
  const label = `${safe(() => error.name) || "Error"}: ${safe(() => error.message)}`;
  const stack = safe(() => error.stack);
  if (!stack) return label;
  // Some libraries build stacks without the message; keep both so neither is lost.
  return stack.includes(safe(() => error.message)) ? stack : `${label}\n${stack}`;
}

function ownProps(error: Error): string {
  const picked: Record<string, unknown> = {};
  let any = false;
  for (const key of Object.keys(error)) {
    if (SKIPPED_PROPS.has(key)) continue;
    try {
      picked[key] = (error as unknown as Record<string, unknown>)[key];
    } catch {
      picked[key] = "[Unreadable]"; // a throwing getter must not cost us the row
    }
    any = true;
  }
  return any ? JSON.stringify(toSafeJson(picked)) : "";
}

function serialize(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === undefined) return "undefined";
  if (typeof value === "bigint" || typeof value === "symbol" || typeof value === "function") return String(value);
  try {
    const json = JSON.stringify(toSafeJson(value));
    return json === "{}" ? `${json} (${Object.prototype.toString.call(value)})` : json;
  } catch {
    return safe(() => String(value)) || "[Unserializable thrown value]";
  }
}

function safe(read: () => unknown): string {
  try {
    const v = read();
    return typeof v === "string" ? v : v === undefined ? "" : String(v);
  } catch {
    return "";
  }
}

function clip(text: string): string {
  if (text.length <= MAX_ERROR_TEXT) return text;
  return `${text.slice(0, MAX_ERROR_TEXT)}\n…[truncated ${text.length - MAX_ERROR_TEXT} chars]`;
}
