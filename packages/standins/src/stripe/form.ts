/** A decoded form value: Stripe's bracket syntax nests objects (`metadata[payoutId]=p1`). */
export type FormValue = string | FormObject;
/** An object decoded from bracketed form keys. */
export interface FormObject {
  [key: string]: FormValue;
}

/**
 * Decodes `application/x-www-form-urlencoded` the way Stripe reads it: `a[b][c]=v` becomes
 * `{ a: { b: { c: "v" } } }`. Arrays (`a[0]=x`, `a[]=x`) come back as objects keyed by index,
 * which is all the endpoints of this stand-in need.
 */
export function parseForm(body: string): FormObject {
  const root: FormObject = {};
  for (const [rawKey, value] of new URLSearchParams(body)) {
    const path = splitKey(rawKey);
    let node = root;
    path.forEach((segment, i) => {
      const key = segment === "" ? String(Object.keys(node).length) : segment;
      if (i === path.length - 1) {
        node[key] = value;
        return;
      }
      const next = node[key];
      if (typeof next === "object") node = next;
      else node = node[key] = {};
    });
  }
  return root;
}

function splitKey(key: string): string[] {
  const open = key.indexOf("[");
  if (open <= 0 || !key.endsWith("]")) return [key];
  return [key.slice(0, open), ...key.slice(open + 1, -1).split("][")];
}

/** A canonical text of decoded params, so idempotency can compare requests regardless of key order. */
export function canonicalParams(value: FormValue): string {
  if (typeof value === "string") return JSON.stringify(value);
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalParams(value[k] as FormValue)}`).join(",")}}`;
}
