// The figure behind the logger's hand-typed INSERT: what building the SQL costs per row with
// drizzle's insert builder, versus assembling the constant statement's seven array parameters.
import { createId, log, type Db, type NewLogRow } from "@callastar/db";

export interface BuildCost {
  drizzleUsPerRow: number;
  arraysUsPerRow: number;
}

/** Measures both ways of preparing a batch of `batch` rows (no database round trip). */
export function measureBuildCost(db: Db, batch = 1000, repeats = 20): BuildCost {
  const rows: NewLogRow[] = Array.from({ length: batch }, (_, i) => ({
    id: createId(),
    type: "CRON_RUN",
    status: "SUCCESS",
    message: `Cron bench completed: ${i} items processed in 1 ms`,
    context: { cronType: "bench", itemsProcessed: i, duration: 1 },
    error: null,
    createdAt: new Date(),
  }));
  const time = (fn: () => void) => {
    fn();
    const t0 = performance.now();
    for (let r = 0; r < repeats; r++) fn();
    return ((performance.now() - t0) * 1000) / (repeats * batch);
  };
  const drizzleUsPerRow = time(() => void db.insert(log).values(rows).onConflictDoNothing().toSQL());
  const keys = ["id", "type", "status", "message", "context", "error", "createdAt"] as const;
  const arraysUsPerRow = time(() => {
    const stored = rows.map((r) => ({
      id: r.id!, type: r.type, status: r.status, message: r.message,
      context: JSON.stringify(r.context), error: r.error ?? null, createdAt: (r.createdAt as Date).toISOString(),
    }));
    void keys.map((k) => stored.map((s) => s[k]));
  });
  return { drizzleUsPerRow, arraysUsPerRow };
}
