/** mulberry32: tiny, seedable and deterministic, which is all fault injection needs. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Keeps only the known non-negative numeric fields of an untrusted patch (the control API sends JSON). */
export function sanitizeFaultPatch<T extends object>(defaults: T, patch: unknown): Partial<T> {
  const out: Partial<T> = {};
  if (typeof patch !== "object" || patch === null) return out;
  for (const key of Object.keys(defaults) as Array<keyof T>) {
    const value = (patch as Record<string, unknown>)[key as string];
    if (typeof value === "number" && Number.isFinite(value) && value >= 0) out[key] = value as T[keyof T];
  }
  return out;
}
