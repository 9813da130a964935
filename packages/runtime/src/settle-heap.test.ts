import { constants, PerformanceObserver, type PerformanceEntry } from "node:perf_hooks";
import { settleHeap } from "./settle-heap";

it("runs one major collection and leaves no global gc behind", async () => {
  const majors: PerformanceEntry[] = [];
  const observer = new PerformanceObserver((list) => {
    const gcs = list.getEntries() as Array<PerformanceEntry & { detail?: { kind?: number } }>;
    majors.push(...gcs.filter((e) => e.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR));
  });
  observer.observe({ entryTypes: ["gc"] });
  const before = (globalThis as { gc?: unknown }).gc;
  try {
    settleHeap();
    // GC entries are delivered after the collection, on a later turn of the loop.
    for (const deadline = Date.now() + 5_000; majors.length === 0 && Date.now() < deadline; ) await new Promise((r) => setImmediate(r));
  } finally {
    observer.disconnect();
  }
  expect(majors.length).toBeGreaterThanOrEqual(1);
  expect((globalThis as { gc?: unknown }).gc).toBe(before);
});
