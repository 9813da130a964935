// One full garbage collection once an app is ready. V8 shrinks an idle heap (its memory reducer)
// only after a first mark-compact: a process whose start-up never filled the old generation that
// far keeps its start-up garbage, and the young generation it grew, for as long as it idles.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

type Collect = () => void;

/**
 * Runs one mark-compact now. `gc` is exposed without a command-line flag the way jest's leak
 * detector does it: the flag, then a fresh context, which V8 gives the `gc` function.
 */
export function settleHeap(): void {
  const exposed = (globalThis as { gc?: Collect }).gc;
  if (exposed) return exposed();
  let collect: unknown;
  setFlagsFromString("--expose-gc");
  try {
    collect = runInNewContext("typeof gc === 'function' ? gc : undefined");
  } finally {
    // Apps must not see a global `gc` they did not ask for.
    setFlagsFromString("--no-expose-gc");
  }
  // A node that ignores the flag this late leaves the heap to V8: memory, not correctness, is at stake.
  if (typeof collect === "function") (collect as Collect)();
}
