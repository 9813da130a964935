import { log, type Db } from "@callastar/db";
import type { StoredRow } from "@callastar/audit-log";
import { utcIso, type CheckDefinition, type Fact } from "./checks";

/** Marks every row the reconciler writes, so a recovered row is never mistaken for one written with its fact. */
export const RECOVERED_BY = "audit:verify";
// postgres.js binds at most 65535 parameters; 7 columns per row.
const CHUNK = 1_000;

/** The missing row of `fact`: the spec function's message and context, the deterministic id, the fact's time. */
function recoveredRow(c: CheckDefinition, fact: Fact, now: Date = new Date()): StoredRow {
  const row = c.build(fact);
  const context = { ...(row.context ? (JSON.parse(row.context) as Record<string, unknown>) : {}), recovered: true, recoveredBy: RECOVERED_BY, recoveredAt: now.toISOString() };
  // Dated at the fact (not at the repair) so stats over a period count the fact in the period it happened.
  const at = utcIso(fact.data[c.at]) ?? now.toISOString();
  return { ...row, id: c.idPrefix + fact.entity, context: JSON.stringify(context), createdAt: at };
}

/**
 * Writes the missing rows of one check in one transaction, skipping ids already present (a
 * concurrent repair or a late writer): safe to run twice or concurrently. Returns the ids written.
 */
export async function repairCheck(db: Db, c: CheckDefinition, facts: readonly Fact[]): Promise<string[]> {
  const now = new Date();
  const rows = facts.map((f) => recoveredRow(c, f, now));
  return db.transaction(async (tx) => {
    const written: string[] = [];
    for (let i = 0; i < rows.length; i += CHUNK) {
      const values = rows.slice(i, i + CHUNK).map((r) => ({
        id: r.id,
        type: r.type as (typeof log.$inferInsert)["type"],
        status: r.status as (typeof log.$inferInsert)["status"],
        message: r.message,
        context: r.context ? (JSON.parse(r.context) as Record<string, unknown>) : null,
        error: r.error,
        createdAt: new Date(r.createdAt),
      }));
      const inserted = await tx.insert(log).values(values).onConflictDoNothing({ target: log.id }).returning({ id: log.id });
      written.push(...inserted.map((r) => r.id));
    }
    return written;
  });
}
