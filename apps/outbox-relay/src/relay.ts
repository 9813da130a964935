import type { RedisConnection as Redis } from "@callastar/queues";
import type { Sql } from "@callastar/db";
import type { ProcessLog } from "@callastar/runtime";
import { recordRelayLag } from "@callastar/queues";
import { JOB_OUTBOX, preparedJobOf, type PreparedJob, type Producer } from "@callastar/producer";

export interface OutboxRelayOptions {
  sql: Sql;
  producer: Producer;
  /** For the lag histogram (the producer's connection). */
  redis: Redis;
  prefix: string;
  batchSize: number;
  log: ProcessLog;
}

interface ClaimedRow {
  id: string;
  kind: string;
  input: unknown;
  jobId: string;
}

const NOW = "clock_timestamp() AT TIME ZONE 'UTC'";

/**
 * Claims committed, unrelayed rows (FOR UPDATE SKIP LOCKED: N relays never share a row), adds their
 * jobs through the producer with its deterministic ids, and marks them relayed — all in one
 * transaction, so a relay that dies after the add leaves the rows unmarked and the next one adds
 * the same ids again. BullMQ ignores an id while it still holds that job (waiting, delayed, active,
 * or finished and kept: removeOnComplete keeps 7 days, 20,000 jobs); one already removed is added
 * and runs again, which every handler makes harmless by re-reading its entity first (reminderSent,
 * "EmailDelivery", the deletion's and the payout's status). Returns how many rows it claimed.
 */
export async function relayBatch(options: OutboxRelayOptions): Promise<number> {
  const { sql, producer, batchSize } = options;
  const lags = await sql.begin(async (tx) => {
    // The mark need not wait for its WAL flush: lost in a crash, it only makes the next relay add
    // the same job ids again (see above) — and the next batch does not wait behind an fsync.
    await tx.unsafe("SET LOCAL synchronous_commit = off");
    const rows = await tx.unsafe<ClaimedRow[]>(
      `SELECT "id", "kind", "input", "jobId" FROM "${JOB_OUTBOX.table}" WHERE "relayedAt" IS NULL ` +
        `ORDER BY "createdAt" LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [batchSize],
      { prepare: true },
    );
    if (rows.length === 0) return null;
    const jobs: PreparedJob[] = [];
    const relayed: string[] = [];
    const invalid: Array<{ id: string; error: string }> = [];
    for (const row of rows) {
      try {
        jobs.push(preparedJobOf(row));
        relayed.push(row.id);
      } catch (error) {
        // A row the producer would now refuse (written by hand, or before a schema change) must not
        // block the rows behind it: it is closed with its reason, for an operator to look at.
        invalid.push({ id: row.id, error: error instanceof Error ? error.message : String(error) });
      }
    }
    if (jobs.length) await producer.addPrepared(jobs);
    // Emails stay open until their delivery is recorded (see recheck.ts); the rest is done once in Redis.
    const marked = await tx.unsafe<Array<{ lag: number }>>(
      `UPDATE "${JOB_OUTBOX.table}" SET "relayedAt" = ${NOW}, "relayCount" = "relayCount" + 1, ` +
        `"completedAt" = CASE WHEN "idempotencyKey" IS NULL THEN ${NOW} END, ` +
        `"outcome" = CASE WHEN "idempotencyKey" IS NULL THEN 'relayed' END ` +
        `WHERE "id" = ANY($1::text[]) RETURNING EXTRACT(EPOCH FROM ("relayedAt" - "createdAt"))::float8 AS "lag"`,
      [relayed],
      { prepare: true },
    );
    for (const { id, error } of invalid) {
      await tx.unsafe(
        `UPDATE "${JOB_OUTBOX.table}" SET "relayedAt" = ${NOW}, "completedAt" = ${NOW}, "outcome" = 'invalid', "lastError" = $2 WHERE "id" = $1`,
        [id, error],
      );
      options.log.warn({ outboxId: id, reason: error }, `outbox row ${id} refused: ${error}`);
    }
    return { lags: marked.map((m) => m.lag), claimed: rows.length };
  });
  if (!lags) return 0;
  await recordRelayLag(options.redis, options.prefix, lags.lags).catch((error: unknown) =>
    options.log.warn({ err: error }, `relay lag not recorded: ${error instanceof Error ? error.message : String(error)}`),
  );
  return lags.claimed;
}
