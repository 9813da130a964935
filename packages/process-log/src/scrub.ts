// Secrets must never reach a process log line. Three layers, because any one can miss: pino's
// `redact` for known field names, an error serializer that keeps only safe fields, and this text
// scrub over every finished line (URL credentials, bearer tokens, provider key shapes, and the
// configured secret values themselves).

const REDACTED = "[redacted]";

// scheme://user:password@host → scheme://user:[redacted]@host (Redis and PostgreSQL URLs).
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/@:"]*):([^\s/@"]+)@/gi;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g;
// Stripe (sk_/rk_ live/test) and Resend (re_) key shapes, wherever they appear.
const PROVIDER_KEYS = /\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]+|\bre_[A-Za-z0-9]{8,}[A-Za-z0-9_]*/g;
const QUERY_SECRETS = /\b(api[_-]?key|secret|password|token)=([^&\s"]+)/gi;

/** `text` with URL passwords, bearer tokens and provider key shapes replaced by "[redacted]". */
export function scrubText(text: string): string {
  return text
    .replace(URL_CREDENTIALS, `$1$2:${REDACTED}@`)
    .replace(BEARER, `$1 ${REDACTED}`)
    .replace(PROVIDER_KEYS, REDACTED)
    .replace(QUERY_SECRETS, `$1=${REDACTED}`);
}

// Too short a value would blank out ordinary words; the env schemas require longer secrets anyway.
const MIN_SECRET_LENGTH = 6;

/** A function replacing every form of `secrets` a log line can carry (raw, JSON-escaped, URL-encoded). */
export function secretScrubber(secrets: readonly (string | undefined)[]): (line: string) => string {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (!secret || secret.length < MIN_SECRET_LENGTH) continue;
    forms.add(secret);
    forms.add(JSON.stringify(secret).slice(1, -1));
    forms.add(encodeURIComponent(secret));
  }
  // Longest first, so a secret containing another is replaced whole.
  const ordered = [...forms].sort((a, b) => b.length - a.length);
  return (line) => {
    let out = scrubText(line);
    for (const form of ordered) if (out.includes(form)) out = out.split(form).join(REDACTED);
    return out;
  };
}

const SECRET_WORDS = new Set(["KEY", "SECRET", "PASSWORD", "PASS", "TOKEN"]);
// RESEND_API_KEY, cronSecret, password: the name's last word says it holds a secret.
const isSecretName = (name: string) => SECRET_WORDS.has(name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase().split("_").at(-1) ?? "");

/**
 * The secret values of a parsed environment (or a config built from one): values named like a key,
 * secret, password or token, and the passwords inside URL values (DATABASE_URL, REDIS_URL), at any
 * depth. Fed to the logger's scrubber.
 */
export function secretsOf(env: unknown, depth = 0): string[] {
  if (typeof env !== "object" || env === null || depth > 4) return [];
  const secrets: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (typeof value === "object") secrets.push(...secretsOf(value, depth + 1));
    if (typeof value !== "string" || !value) continue;
    if (isSecretName(name)) secrets.push(value);
    const password = urlPassword(value);
    if (password) secrets.push(password, decodeURIComponentSafe(password));
  }
  return secrets;
}

function urlPassword(value: string): string | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return undefined;
  try {
    return new URL(value).password || undefined;
  } catch {
    return undefined;
  }
}

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
