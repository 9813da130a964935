// A cron run's outcome and its audit row commit in one statement: the "CronRun" row goes RUNNING →
// SUCCEEDED/FAILED and its CRON_RUN / CRON_ERROR row (deterministic id) is inserted with it, so a
// kill can never leave one without the other, and a retry that finds the run finished writes nothing.
import { getTableColumns } from "drizzle-orm";
import { getTableConfig } from "drizzle-orm/pg-core";
import { cronRun, cronRunStatusEnum, log, type CronRunStatus, type Sql } from "@callastar/db";
import { insertRowsAfter, ROW_PARAMETER_COUNT, rowParameters, type StoredRow } from "@callastar/audit-log";

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
const c = Object.fromEntries(Object.entries(getTableColumns(cronRun)).map(([key, col]) => [key, quote(col.name)])) as Record<
  keyof typeof cronRun.$inferSelect,
  string
>;
const table = quote(getTableConfig(cronRun).name);
const statusType = quote(cronRunStatusEnum.enumName);

/** Deterministic audit-row ids of a run's outcome (convention 2 of the brief; the reconciler checks them). */
export const cronRunLogIds = {
  succeeded: (cronRunId: string) => `cron-run:${cronRunId}`,
  failed: (cronRunId: string) => `cron-error:${cronRunId}`,
};

/**
 * A run's "CronRun" id: its queue and BullMQ job id. Job ids are only unique within a queue (a job
 * added without an explicit id, from Bull Board for instance, gets the queue's next counter value).
 */
export const cronRunId = (queue: string, jobId: string) => `${queue}:${jobId}`;

// The start time comes back as epoch ms: the pool keeps timestamp columns as text.
const START_MS = (col: string) => `(extract(epoch from ${col}) * 1000)::float8`;
const START = `WITH ins AS (INSERT INTO ${table} (${c.id}, ${c.queue}, ${c.jobId}, ${c.cronType}, ${c.trigger}, ${c.status}, ${c.startedAt}) VALUES ($1, $5, $6, $2, $3, 'RUNNING', $4::timestamp(3)) ON CONFLICT (${c.id}) DO NOTHING RETURNING ${c.status}, ${c.startedAt}) SELECT ${c.status} AS status, ${START_MS(c.startedAt)} AS "startedAtMs" FROM ins UNION ALL SELECT ${c.status}, ${START_MS(c.startedAt)} FROM ${table} WHERE ${c.id} = $1 AND NOT EXISTS (SELECT 1 FROM ins)`;

/** One cron run: its "CronRun" id ({@link cronRunId}), where its job is, and what it runs. */
export interface CronRunRef {
  id: string;
  queue: string;
  jobId: string;
  cronType: string;
  trigger: string;
}

/** The run of cron job `job` (`queueName`, `id`) or of the run a summary closes (its queue and run job id). */
export function cronRunRef(queue: string, jobId: string, cronType: string, trigger: string): CronRunRef {
  return { id: cronRunId(queue, jobId), queue, jobId, cronType, trigger };
}

/**
 * Records that a run started (RUNNING) unless it already exists — a retry of the same run reuses
 * its row. Returns the row's status and start time.
 */
export async function startCronRun(sql: Sql, run: CronRunRef, startedAt: Date): Promise<{ status: CronRunStatus; startedAt: Date }> {
  const rows = await sql.unsafe(START, [run.id, run.cronType, run.trigger, startedAt.toISOString(), run.queue, run.jobId] as never, { prepare: true });
  const row = rows[0] as { status: CronRunStatus; startedAtMs: number | string } | undefined;
  // A concurrent first insert is not visible to this statement yet: it is running either way.
  return row ? { status: row.status, startedAt: new Date(Number(row.startedAtMs)) } : { status: "RUNNING", startedAt };
}

// $1..$7 the audit row, then the run. The upsert creates the run when it never got its RUNNING row
// (a job failed by stalls before it started); a run already finished is left as it is, and its row
// is (re)inserted only if the run finished with this very status — ON CONFLICT skips one present.
const P = ROW_PARAMETER_COUNT;
const FINISH =
  insertRowsAfter(
    `WITH r AS (INSERT INTO ${table} (${c.id}, ${c.cronType}, ${c.trigger}, ${c.status}, ${c.itemsProcessed}, ${c.startedAt}, ${c.finishedAt}, ${c.queue}, ${c.jobId}) ` +
      `VALUES ($${P + 1}, $${P + 2}, $${P + 3}, $${P + 4}::${statusType}, $${P + 5}::integer, $${P + 6}::timestamp(3), CURRENT_TIMESTAMP, $${P + 7}, $${P + 8}) ` +
      `ON CONFLICT (${c.id}) DO UPDATE SET ${c.status} = EXCLUDED.${c.status}, ${c.itemsProcessed} = EXCLUDED.${c.itemsProcessed}, ` +
      `${c.finishedAt} = EXCLUDED.${c.finishedAt}, ${c.updatedAt} = CURRENT_TIMESTAMP WHERE ${table}.${c.status} = 'RUNNING' RETURNING ${c.id})`,
    () => `EXISTS (SELECT 1 FROM r) OR EXISTS (SELECT 1 FROM ${table} WHERE ${c.id} = $${P + 1} AND ${c.status} = $${P + 4}::${statusType})`,
  ) + ` ON CONFLICT (${quote(getTableColumns(log).id.name)}) DO NOTHING`;

/**
 * Finishes a run SUCCEEDED or FAILED with its audit row (whose id must be the matching
 * cronRunLogIds one), in one statement. Returns true when the row was written now.
 */
export async function finishCronRun(
  sql: Sql,
  run: CronRunRef & { status: Exclude<CronRunStatus, "RUNNING">; itemsProcessed: number | null; startedAt: Date },
  row: StoredRow,
): Promise<boolean> {
  const params = [...rowParameters([row]), run.id, run.cronType, run.trigger, run.status, run.itemsProcessed, run.startedAt.toISOString(), run.queue, run.jobId];
  const result = await sql.unsafe(FINISH, params as never, { prepare: true });
  return result.count > 0;
}

const INSERT_ONCE = insertRowsAfter("", () => "true") + ` ON CONFLICT (${quote(getTableColumns(log).id.name)}) DO NOTHING`;

/** Inserts one audit row with a deterministic id unless it is already there. */
export async function insertRowOnce(sql: Sql, row: StoredRow): Promise<void> {
  await sql.unsafe(INSERT_ONCE, rowParameters([row]) as never, { prepare: true });
}
