import { JOBS } from "@callastar/queues";
import { JOB_OUTBOX, preparedJobOf, type PreparedJob } from "@callastar/producer";
import type { OutboxRelayOptions } from "./relay";

export interface RecheckOutcome {
  delivered: number;
  readded: number;
  failed: number;
  pending: number;
}

const NOW = "clock_timestamp() AT TIME ZONE 'UTC'";

/**
 * An ad-hoc email exists nowhere but in Redis between its relay and the moment its job queues it in
 * "PendingEmail". Its row stays open until an "EmailDelivery" row with its idempotency key exists
 * (closed `delivered`) or Resend refused it (its `email-failed:<key>` row: closed `failed`); a row
 * relayed more than `afterMs` ago whose job Redis no longer has (data lost, failover to an empty
 * replica) and whose email is not queued is added again — same job id, same idempotency key, so
 * the email worker still sends it once.
 */
export async function recheckEmails(options: OutboxRelayOptions & { afterMs: number }): Promise<RecheckOutcome> {
  const { sql, producer, batchSize } = options;
  const table = `"${JOB_OUTBOX.table}"`;
  const delivered = await sql.unsafe(
    `UPDATE ${table} o SET "completedAt" = ${NOW}, "outcome" = 'delivered' FROM "EmailDelivery" d ` +
      `WHERE o."relayedAt" IS NOT NULL AND o."completedAt" IS NULL AND d."idempotencyKey" = o."idempotencyKey"`,
  );
  const refused = await sql.unsafe(
    `UPDATE ${table} o SET "completedAt" = ${NOW}, "outcome" = 'failed', "lastError" = coalesce(l."error", l.message) FROM "Log" l ` +
      `WHERE o."relayedAt" IS NOT NULL AND o."completedAt" IS NULL AND o."idempotencyKey" IS NOT NULL AND l.id = 'email-failed:' || o."idempotencyKey"`,
  );
  const outcome: RecheckOutcome = { delivered: delivered.count, readded: 0, failed: refused.count, pending: 0 };
  await sql.begin(async (tx) => {
    // `queued`: its job put it in "PendingEmail" (durable: the batch sender delivers it, whatever Redis lost).
    const rows = await tx.unsafe<Array<{ id: string; kind: string; input: unknown; jobId: string; queued: boolean }>>(
      `SELECT "id", "kind", "input", "jobId", EXISTS (SELECT 1 FROM "PendingEmail" p WHERE p."idempotencyKey" = o."idempotencyKey") AS queued ` +
        `FROM ${table} o WHERE "relayedAt" IS NOT NULL AND "completedAt" IS NULL ` +
        `AND COALESCE("checkedAt", "relayedAt") < ${NOW} - $1 * interval '1 millisecond' ` +
        `ORDER BY "relayedAt" LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [options.afterMs, batchSize],
    );
    const readd: Array<{ id: string; job: PreparedJob }> = [];
    const failed: Array<{ id: string; reason: string }> = [];
    const checked: string[] = [];
    for (const row of rows) {
      if (row.queued) {
        checked.push(row.id);
        continue;
      }
      const job = preparedJobOf(row);
      const inRedis = await producer.queue(JOBS[job.name].queue).getJob(row.jobId);
      const state = inRedis ? await inRedis.getState() : "unknown";
      // A job in the failed set has no attempt left; one retrying waits in delayed/wait instead.
      if (state === "failed") failed.push({ id: row.id, reason: inRedis?.failedReason ?? "failed" });
      else if (!inRedis || state === "unknown") readd.push({ id: row.id, job });
      else checked.push(row.id);
    }
    if (readd.length) await producer.addPrepared(readd.map((r) => r.job));
    await tx.unsafe(
      `UPDATE ${table} SET "checkedAt" = ${NOW}, "relayCount" = "relayCount" + 1 WHERE "id" = ANY($1::text[])`,
      [readd.map((r) => r.id)],
    );
    await tx.unsafe(`UPDATE ${table} SET "checkedAt" = ${NOW} WHERE "id" = ANY($1::text[])`, [checked]);
    for (const { id, reason } of failed) {
      await tx.unsafe(`UPDATE ${table} SET "completedAt" = ${NOW}, "outcome" = 'failed', "lastError" = $2 WHERE "id" = $1`, [id, reason]);
    }
    for (const r of readd) options.log.warn({ jobId: r.job.jobId, outboxId: r.id }, `email ${r.job.jobId} (outbox row ${r.id}) was relayed but is neither delivered nor in Redis: added again`);
    Object.assign(outcome, { readded: readd.length, failed: outcome.failed + failed.length, pending: checked.length });
  });
  return outcome;
}
