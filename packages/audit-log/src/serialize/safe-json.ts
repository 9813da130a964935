// Turns anything a caller may pass as context into a value PostgreSQL's jsonb accepts, so a weird
// context never makes an audit write fail, and replaces secrets before they reach the audit trail.

/** The placeholder written instead of a secret's value. */
const REDACTED = "[REDACTED]";

// Substring match, case-insensitive: `x-api-key`, `stripeSecretKey`, `refreshToken`, `Set-Cookie`…
const SECRET_KEY = /passw(or)?d|pwd|secret|token|api[-_]?key|authori[sz]ation|cookie|credential|private[-_]?key/i;
const MAX_DEPTH = 24;

/** True when a property name denotes a secret whose value must never be stored. */
export function isSecretKey(key: string): boolean {
  // Context keys repeat on every call; memoize (bounded) so redaction costs a Map lookup.
  let secret = secretKeyCache.get(key);
  if (secret === undefined) {
    secret = SECRET_KEY.test(key);
    if (secretKeyCache.size >= 10_000) secretKeyCache.clear();
    secretKeyCache.set(key, secret);
  }
  return secret;
}
const secretKeyCache = new Map<string, boolean>();

/** A JSON value as jsonb stores it. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

// PostgreSQL refuses NUL in text and jsonb, and lone UTF-16 surrogates in jsonb.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Replaces the characters PostgreSQL refuses in text/jsonb with U+FFFD. */
export function storableString(s: string): string {
  return MAYBE_UNSTORABLE.test(s) ? s.replace(UNSTORABLE, "\uFFFD") : s; // cheap test first: the hot path
}
const MAYBE_UNSTORABLE = /[\u0000\uD800-\uDFFF]/;
const UNSTORABLE_ONE = new RegExp(UNSTORABLE.source); // not global: .test() keeps no lastIndex

/** True when `s` holds a NUL or a lone surrogate (an emoji's surrogate pair is fine). */
function unstorable(s: string): boolean {
  return MAYBE_UNSTORABLE.test(s) && UNSTORABLE_ONE.test(s);
}

/**
 * The JSON text of a flat record whose keys are all non-secret and whose values are all storable
 * primitives — what nearly every log call passes — or undefined when `obj` needs the full walk.
 * Same text as `JSON.stringify(toSafeJson(obj))`, without copying the object.
 */
export function flatRecordJson(obj: object): string | undefined {
  const proto: unknown = Object.getPrototypeOf(obj);
  if (proto !== Object.prototype && proto !== null) return undefined;
  try {
    for (const key in obj) {
      if (isSecretKey(key) || unstorable(key)) return undefined;
      const value: unknown = (obj as Record<string, unknown>)[key];
      switch (typeof value) {
        case "string":
          if (unstorable(value)) return undefined;
          break;
        case "number":
          if (!Number.isFinite(value)) return undefined;
          break;
        case "boolean":
        case "undefined": // dropped by JSON.stringify, as by the full walk
          break;
        default:
          if (value !== null) return undefined;
      }
    }
    return JSON.stringify(obj);
  } catch {
    return undefined; // a throwing getter: the full walk records it as "[Unreadable]"
  }
}

/** A JSON-safe, redacted copy of `value`: Dates → ISO, bigint → string, Error → {name,message}, cycles cut. */
export function toSafeJson(value: unknown): JsonValue {
  return normalize(value, [], 0);
}

function normalize(value: unknown, ancestors: object[], depth: number): JsonValue {
  switch (typeof value) {
    case "string":
      return storableString(value);
    case "number":
      return Number.isFinite(value) ? value : String(value);
    case "boolean":
      return value;
    case "bigint":
      return value.toString();
    case "undefined":
    case "function":
    case "symbol":
      return null;
  }
  if (value === null) return null;
  const obj = value as object;
  if (ancestors.includes(obj)) return "[Circular]";
  if (depth >= MAX_DEPTH) return "[MaxDepth]";
  if (obj instanceof Date) return Number.isNaN(obj.getTime()) ? "Invalid Date" : obj.toISOString();
  if (obj instanceof Error) return { name: storableString(obj.name), message: storableString(obj.message) };
  if (ArrayBuffer.isView(obj)) return `[${obj.constructor.name} ${obj.byteLength} bytes]`;
  const next = [...ancestors, obj];
  if (Array.isArray(obj)) return obj.map((item) => normalize(item, next, depth + 1));
  if (obj instanceof Set) return [...obj].map((item) => normalize(item, next, depth + 1));
  if (obj instanceof Map) {
    return normalizeEntries([...obj].map(([k, v]) => [String(k), v]), next, depth);
  }
  const toJSON = (obj as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === "function") {
    try {
      return normalize(toJSON.call(obj), next, depth + 1);
    } catch {
      return "[Unserializable]";
    }
  }
  let keys: string[];
  try {
    keys = Object.keys(obj);
  } catch {
    return "[Unserializable]"; // e.g. a revoked Proxy
  }
  return normalizeEntries(
    keys.map((k) => [k, readProperty(obj, k)]),
    next,
    depth,
  );
}

const UNREADABLE = Symbol("unreadable");

function readProperty(obj: object, key: string): unknown {
  try {
    return (obj as Record<string, unknown>)[key];
  } catch {
    return UNREADABLE; // a getter that throws must not fail the write
  }
}

function normalizeEntries(entries: [string, unknown][], ancestors: object[], depth: number): JsonValue {
  const out: { [key: string]: JsonValue } = {};
  for (const [rawKey, v] of entries) {
    const key = storableString(rawKey);
    if (isSecretKey(key)) {
      if (v !== undefined) out[key] = REDACTED;
      continue;
    }
    if (v === UNREADABLE) {
      out[key] = "[Unreadable]";
      continue;
    }
    // JSON drops undefined, functions and symbols from objects; keep that so rows read as expected.
    if (v === undefined || typeof v === "function" || typeof v === "symbol") continue;
    out[key] = normalize(v, ancestors, depth + 1);
  }
  return out;
}
