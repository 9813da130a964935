// React's server renderer escapes text and attribute values alike with escapeTextForBrowser: exactly
// these five characters, with these entities (&#x27; for the apostrophe). Cached output must match a
// fresh render byte for byte, so this mirrors it rather than using a generic escaper.
const ESCAPES: Readonly<Record<string, string>> = { '"': "&quot;", "&": "&amp;", "'": "&#x27;", "<": "&lt;", ">": "&gt;" };
const ESCAPED = /["&'<>]/g;

/** Escapes a string exactly as React does in text and attribute values. */
export function escapeHtml(value: string): string {
  // Most values need no escaping: skip the replace (and its callback) for them.
  return /["&'<>]/.test(value) ? value.replace(ESCAPED, (char) => ESCAPES[char]!) : value;
}
