/** A rendered string cut at its placeholders: `parts[0] + v[slots[0]] + parts[1] + … + parts[n]`. */
export interface SlottedString {
  readonly parts: readonly string[];
  /** The view-key index each slot is filled from; `slots.length === parts.length - 1`. */
  readonly slots: readonly number[];
}

/** Fills a slotted string with one value per view-key index. */
export function fillSlots(template: SlottedString, values: readonly string[]): string {
  const { parts, slots } = template;
  let out = parts[0]!;
  for (let i = 0; i < slots.length; i++) out += values[slots[i]!]! + parts[i + 1]!;
  return out;
}
