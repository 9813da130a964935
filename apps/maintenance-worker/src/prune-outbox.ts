import type { Sql } from "@callastar/db";

/**
 * Deletes finished "JobOutbox" rows older than the retention, in bounded batches so no statement
 * holds many row locks. Finished means: relayed (reminders, room deletions, payouts — the sweeps
 * re-derive those from PostgreSQL anyway) or, for an email, delivered or failed for good. A row
 * still waiting to be relayed, or an email not yet delivered, is never pruned.
 */
export async function pruneJobOutbox(sql: Sql, retentionHours: number, batchSize = 5_000): Promise<{ deleted: number; batches: number }> {
  let deleted = 0;
  let batches = 0;
  for (;;) {
    const result = await sql.unsafe(
      `WITH doomed AS (SELECT "id" FROM "JobOutbox" WHERE "completedAt" < (clock_timestamp() AT TIME ZONE 'UTC') - $1 * interval '1 hour' ` +
        `ORDER BY "completedAt" LIMIT $2 FOR UPDATE SKIP LOCKED) DELETE FROM "JobOutbox" o USING doomed WHERE o."id" = doomed."id"`,
      [retentionHours, batchSize],
    );
    batches++;
    deleted += result.count;
    if (result.count < batchSize) return { deleted, batches };
  }
}
