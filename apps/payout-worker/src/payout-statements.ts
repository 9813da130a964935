// A payout's state change and its audit row commit in one statement (as the email worker records a
// delivery with its EMAIL_SENT row): a worker killed at any moment leaves both or neither. Rows of
// facts carry deterministic ids (`payout-paid:<id>`, `payout-failed:<id>`) and are inserted with
// ON CONFLICT DO NOTHING, so a retry that finds the fact done writes its row only if it is missing.
import { getTableColumns } from "drizzle-orm";
import { getTableConfig } from "drizzle-orm/pg-core";
import { log, payout, payoutStatusEnum, type Sql } from "@callastar/db";
import { INSERT_LOG_ROWS, ROW_PARAMETER_COUNT, rowParameters, type StoredRow } from "@callastar/audit-log";

/** Deterministic Log ids of a payout's facts (the reconciler looks for exactly these). */
export const payoutLogIds = {
  paid: (payoutId: string) => `payout-paid:${payoutId}`,
  failed: (payoutId: string) => `payout-failed:${payoutId}`,
  created: (payoutId: string) => `payout-created:${payoutId}`,
};

/** What a statement did: the payout changed (this attempt moved it), its row was inserted. */
export interface StatementResult {
  changed: boolean;
  logged: boolean;
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
const columns = getTableColumns(payout);
const col = (key: keyof typeof columns) => quote(columns[key].name);
const TABLE = quote(getTableConfig(payout).name);
const STATUS_TYPE = quote(payoutStatusEnum.enumName);
const LOG_ID = quote(getTableColumns(log).id.name);
// $1..$7 are the audit row's columns; the payout id and each statement's own values follow.
const arg = (n: number) => `$${ROW_PARAMETER_COUNT + n}`;
const PAYOUT_ID = `${arg(1)}::text`;
const isPayout = (status: string) => `${col("id")} = ${PAYOUT_ID} AND ${col("status")} = '${status}'`;
const upTo = (ms: string) => `CURRENT_TIMESTAMP + (${ms}::float8 * interval '1 millisecond')`;

/**
 * `WITH f AS (UPDATE "Payout" … RETURNING 1), l AS (INSERT INTO "Log" … WHERE <logIf> ON CONFLICT DO
 * NOTHING RETURNING 1) SELECT changed, logged`. `logIf` may name `f` (the update happened) or read the
 * payout as it was before this statement (a fact already there).
 */
function factWithRow(spec: { set: string[]; from: string; logIf: string }): string {
  const set = [...spec.set, `${col("updatedAt")} = CURRENT_TIMESTAMP`].join(", ");
  const update = `UPDATE ${TABLE} SET ${set} WHERE ${col("id")} = ${PAYOUT_ID} AND ${spec.from} RETURNING 1`;
  const insert = `${INSERT_LOG_ROWS} WHERE ${spec.logIf} ON CONFLICT (${LOG_ID}) DO NOTHING RETURNING 1`;
  return `WITH f AS (${update}), l AS (${insert}) SELECT (SELECT count(*) FROM f)::int AS "changed", (SELECT count(*) FROM l)::int AS "logged"`;
}

const updated = "EXISTS (SELECT 1 FROM f)";
const already = (condition: string) => `EXISTS (SELECT 1 FROM ${TABLE} WHERE ${condition})`;

const MARK_PAID = factWithRow({
  set: [`${col("status")} = 'PAID'`, `${col("stripeTransferId")} = ${arg(2)}::text`, `${col("paidAt")} = CURRENT_TIMESTAMP`, `${col("failureReason")} = NULL`, `${col("nextAttemptAt")} = NULL`],
  from: `${col("status")} = 'PROCESSING'`,
  logIf: `${updated} OR ${already(`${isPayout("PAID")} AND ${col("stripeTransferId")} = ${arg(2)}::text`)}`,
});

const MARK_FAILED = factWithRow({
  set: [`${col("status")} = 'FAILED'`, `${col("failureReason")} = left(${arg(2)}::text, 1000)`, `${col("failedAt")} = CURRENT_TIMESTAMP`, `${col("nextAttemptAt")} = NULL`],
  from: `${col("status")} = 'PROCESSING'`,
  logIf: `${updated} OR ${already(isPayout("FAILED"))}`,
});

// Conditional on the generation this attempt used: two attempts refused under the same key bump it once.
const DEFER_FOR_BALANCE = factWithRow({
  set: [`${col("balanceRetries")} = ${col("balanceRetries")} + 1`, `${col("nextAttemptAt")} = ${upTo(arg(3))}`],
  from: `${col("status")} = 'PROCESSING' AND ${col("balanceRetries")} = ${arg(2)}::int`,
  logIf: updated,
});

// The row is the attempt's outcome, written whether or not the payout is still payable.
const RETRY_LATER = factWithRow({
  set: [`${col("nextAttemptAt")} = ${upTo(arg(2))}`],
  from: `${col("status")} IN ('REQUESTED', 'PROCESSING')`,
  logIf: "true",
});

// One row per change of the reason, not one per sweep: the row commits only when the reason moved
// to a new one (a null reason, payable again or only waiting for onboarding, clears it silently).
const MARK_UNPAYABLE = factWithRow({
  set: [`${col("unpayableReason")} = ${arg(2)}::text`],
  from: `${col("status")} = 'REQUESTED' AND ${col("unpayableReason")} IS DISTINCT FROM ${arg(2)}::text`,
  logIf: `${updated} AND ${arg(2)}::text IS NOT NULL`,
});

const ENSURE_ROW =
  `WITH l AS (${INSERT_LOG_ROWS} WHERE EXISTS (SELECT 1 FROM ${TABLE} WHERE ${col("id")} = ${PAYOUT_ID} AND ${col("status")} = ${arg(2)}::${STATUS_TYPE}) ` +
  `ON CONFLICT (${LOG_ID}) DO NOTHING RETURNING 1) SELECT false AS "changed", (SELECT count(*) FROM l)::int AS "logged"`;

async function run(sql: Sql, statement: string, row: StoredRow, values: Array<string | number | null>): Promise<StatementResult> {
  const [result] = await sql.unsafe<Array<{ changed: number | boolean; logged: number }>>(statement, [...rowParameters([row]), ...values] as never, {
    prepare: true,
  });
  return { changed: Number(result?.changed ?? 0) > 0, logged: Number(result?.logged ?? 0) > 0 };
}

/** PROCESSING → PAID by `stripeTransferId`, with its PAYOUT_SUCCESS row (also written if already PAID by it without one). */
export function markPaidWithRow(sql: Sql, payoutId: string, stripeTransferId: string, row: StoredRow): Promise<StatementResult> {
  return run(sql, MARK_PAID, { ...row, id: payoutLogIds.paid(payoutId) }, [payoutId, stripeTransferId]);
}

/** PROCESSING → FAILED with Stripe's reason and the final PAYOUT_ERROR row (also written if already FAILED without one). */
export function markFailedWithRow(sql: Sql, payoutId: string, failureReason: string, row: StoredRow): Promise<StatementResult> {
  return run(sql, MARK_FAILED, { ...row, id: payoutLogIds.failed(payoutId) }, [payoutId, failureReason]);
}

/**
 * A balance shortfall refused key generation `generation`: the payout stays PROCESSING, its next
 * attempt (under generation + 1) is due in `delayMs`; the attempt's row commits with it.
 */
export function deferForBalanceWithRow(sql: Sql, payoutId: string, generation: number, delayMs: number, row: StoredRow): Promise<StatementResult> {
  return run(sql, DEFER_FOR_BALANCE, row, [payoutId, generation, delayMs]);
}

/** The job failed for good with the payout still payable: no sweep or recovery retries it before `delayMs`. */
export function retryLaterWithRow(sql: Sql, payoutId: string, delayMs: number, row: StoredRow): Promise<StatementResult> {
  return run(sql, RETRY_LATER, row, [payoutId, delayMs]);
}

/**
 * Records why a REQUESTED payout cannot be paid (`reason`; null: it no longer is unpayable) with its
 * PAYOUT_ERROR row, in one statement, only when the reason changed to a new one (`logged`); the same
 * finding on the next sweep writes nothing. Claiming the payout clears the reason.
 */
export function markUnpayableWithRow(sql: Sql, payoutId: string, reason: string | null, row: StoredRow): Promise<StatementResult> {
  return run(sql, MARK_UNPAYABLE, row, [payoutId, reason]);
}

/** Writes the row of a fact found already done (PAID or FAILED), if the payout is in that state and the row is missing. */
export function ensureFactRow(sql: Sql, payoutId: string, status: "PAID" | "FAILED", row: StoredRow): Promise<StatementResult> {
  const id = status === "PAID" ? payoutLogIds.paid(payoutId) : payoutLogIds.failed(payoutId);
  return run(sql, ENSURE_ROW, { ...row, id }, [payoutId, status]);
}
