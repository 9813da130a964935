// Every row carries ISO timestamps, and a busy logger writes several rows per millisecond: formatting
// an instant once saves a Date and a toISOString per row. Two slots, because a cron row asks for
// its start and its end, then the row's createdAt (= the end) again.
const ms: [number, number] = [Number.NaN, Number.NaN];
const iso: [string, string] = ["", ""];
let older: 0 | 1 = 0;

/** `new Date(at).toISOString()`, remembered for the last two instants asked. */
export function isoAt(at: number): string {
  if (ms[0] === at) return iso[0];
  if (ms[1] === at) return iso[1];
  const slot = older;
  iso[slot] = new Date(at).toISOString();
  ms[slot] = at;
  older = slot === 0 ? 1 : 0;
  return iso[slot];
}
