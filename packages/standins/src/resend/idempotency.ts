import type { StandinAnswer } from "./errors";

/** How long Resend remembers an idempotency key. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** Resend accepts keys of 1 to 256 characters. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 256;

type Entry =
  | { state: "in-flight"; fingerprint: string; at: number }
  | { state: "done"; fingerprint: string; at: number; answer: StandinAnswer };

/** What to do with a request carrying an idempotency key. */
export type IdempotencyVerdict =
  | { kind: "new" }
  | { kind: "replay"; answer: StandinAnswer }
  | { kind: "conflict" }
  | { kind: "in-flight" };

/** Serialises a JSON value with sorted keys, so that key order does not make two bodies differ. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/**
 * Resend's idempotency semantics: a successful answer is replayed for 24 h to the same key and body;
 * the same key with another body is a conflict; a key whose first request is still running is refused.
 * Failed requests are not stored, so a retry after a 5xx or a 422 runs again.
 */
export class IdempotencyStore {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly now: () => number) {}

  /** Looks the key up and, when it is new, claims it for this request. */
  begin(scope: string, key: string, fingerprint: string): IdempotencyVerdict {
    const id = `${scope}\u0000${key}`;
    const entry = this.entries.get(id);
    const now = this.now();
    if (!entry || now - entry.at >= IDEMPOTENCY_TTL_MS) {
      this.entries.set(id, { state: "in-flight", fingerprint, at: now });
      return { kind: "new" };
    }
    if (entry.fingerprint !== fingerprint) return { kind: "conflict" };
    if (entry.state === "in-flight") return { kind: "in-flight" };
    return { kind: "replay", answer: entry.answer };
  }

  /** Records the outcome of a claimed key: successes are kept for replay, failures release the key. */
  finish(scope: string, key: string, answer: StandinAnswer): void {
    const id = `${scope}\u0000${key}`;
    const entry = this.entries.get(id);
    if (!entry || entry.state !== "in-flight") return;
    if (answer.status >= 200 && answer.status < 300) {
      this.entries.set(id, { state: "done", fingerprint: entry.fingerprint, at: this.now(), answer });
    } else {
      this.entries.delete(id);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}
