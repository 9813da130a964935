// A handler that wrote the error row for its own failure (often in the same transaction as the fact
// it records) marks the error, so the worker runtime does not write a second row for that attempt.
const AUDITED = Symbol.for("callastar.audited");

/** Marks `error` as already audited by the code that threw it; returns it for `throw markAudited(e)`. */
export function markAudited<E>(error: E): E {
  if (typeof error === "object" && error !== null) (error as Record<symbol, unknown>)[AUDITED] = true;
  return error;
}

/** True when the thrower already wrote this error's Log row (see markAudited). */
export function isAudited(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[AUDITED] === true;
}
