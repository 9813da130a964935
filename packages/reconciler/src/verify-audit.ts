import { sql } from "drizzle-orm";
import type { Db } from "@callastar/db";
import { CHECKS, type CheckDefinition, type Fact } from "./checks";
import { repairCheck } from "./repair";
import { intentBounds, runIntentChecks, type IntentBounds } from "./intent-checks";
import { AUDIT_CHECKS, type AnyCheck, type AuditReport, type DuplicatedRow, type MissingRow, type UnfinishedRun } from "./report";

/** Options of verifyAudit; the window is [since, until) over each fact's own timestamp. */
export interface VerifyAuditOptions {
  /** Default: 7 days before `until`. */
  since?: Date;
  /** Default: now. */
  until?: Date;
  /** Write each missing row (deterministic id, marked recovered); duplicates are never deleted. */
  repair?: boolean;
  /**
   * How far around the window a legacy (random-id) row is looked for by its context: such rows were
   * written by the logger seconds after their fact, or by a job's retry within its backoff (default 1 h).
   */
  legacyMarginMs?: number;
  /** How late a recorded intent may be before it is reported (defaults: DEFAULT_INTENT_BOUNDS). */
  bounds?: Partial<IntentBounds>;
  /** A run still RUNNING this long after its start (its job lost or stuck) is reported unfinished (default 1 h). */
  stuckRunMs?: number;
}

const DAY_MS = 24 * 3600_000;
const DEFAULT_LEGACY_MARGIN_MS = 3600_000;
const DEFAULT_STUCK_RUN_MS = 3600_000;
// The window's ends as `timestamp(3)` values, which hold UTC by the schema's convention.
const tsParam = (d: Date) => sql`(${d.toISOString()}::timestamptz AT TIME ZONE 'UTC')`;

interface Discrepancy extends Fact {
  rows: number;
}

// One statement per check: the window's facts, each one's deterministic row through the primary
// key, and legacy rows (random ids, counted by the context keys naming the fact) through the
// ("type", "createdAt") index. Only discrepancies come back, with the count of facts checked.
function checkStatement(c: CheckDefinition, since: Date, until: Date, marginMs: number) {
  const legacy = c.legacy
    ? sql`SELECT ${sql.raw(c.legacy.key)} AS key, count(*)::int AS n FROM "Log" l
        WHERE l."type" = ${c.legacy.type} AND l."createdAt" >= ${tsParam(new Date(since.getTime() - marginMs))}
          AND l."createdAt" < ${tsParam(new Date(until.getTime() + marginMs))}
          AND NOT starts_with(l."id", ${c.idPrefix})
          ${c.legacy.where ? sql.raw(`AND ${c.legacy.where}`) : sql``}
          AND ${sql.raw(c.legacy.key)} IN (SELECT key FROM f)
        GROUP BY 1`
    : sql`SELECT NULL::text AS key, 0 AS n WHERE false`;
  const off = c.reportDuplicates ? sql`m.rows <> 1` : sql`m.rows = 0`;
  return sql`
    WITH f AS (
      SELECT ${sql.raw(c.entity)} AS entity, ${sql.raw(c.key)} AS key, to_jsonb(t) AS data FROM ${sql.raw(c.from)}
        AND t.${sql.identifier(c.at)} >= ${tsParam(since)} AND t.${sql.identifier(c.at)} < ${tsParam(until)}
    ), legacy AS (${legacy}),
    m AS (
      SELECT f.entity, f.data, (d."id" IS NOT NULL)::int + coalesce(o.n, 0) AS rows
      FROM f
      LEFT JOIN "Log" d ON d."id" = ${c.idPrefix} || f.entity
      LEFT JOIN legacy o ON o.key = f.key
    )
    SELECT (SELECT count(*)::int FROM m) AS checked,
      coalesce((SELECT json_agg(json_build_object('entity', m.entity, 'data', m.data, 'rows', m.rows) ORDER BY m.entity) FROM m WHERE ${off}), '[]'::json) AS off`;
}

async function runCheck(db: Db, c: CheckDefinition, since: Date, until: Date, marginMs: number) {
  const result = await db.execute<{ checked: number; off: Discrepancy[] | string }>(checkStatement(c, since, until, marginMs));
  const row = result[0];
  if (!row) throw new Error(`check ${c.name} returned no row`);
  const off = typeof row.off === "string" ? (JSON.parse(row.off) as Discrepancy[]) : row.off;
  return { checked: Number(row.checked), off };
}

// Runs of the window that never did their work: FAILED for good (by when they failed), or RUNNING
// longer than the bound (by when they started; a run started at the end of the window is not late yet).
async function unfinishedRuns(db: Db, since: Date, until: Date, stuckMs: number): Promise<UnfinishedRun[]> {
  const rows = await db.execute<{ id: string; cronType: string; status: "FAILED" | "RUNNING"; at: string }>(sql`
    SELECT "id", "cronType", "status", to_char(coalesce("finishedAt", "startedAt"), 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at FROM "CronRun"
    WHERE ("status" = 'FAILED' AND "finishedAt" >= ${tsParam(since)} AND "finishedAt" < ${tsParam(until)})
       OR ("status" = 'RUNNING' AND "startedAt" >= ${tsParam(since)} AND "startedAt" < ${tsParam(until)}
           AND "startedAt" < (now() AT TIME ZONE 'UTC') - ${stuckMs}::float8 * interval '1 millisecond')
    ORDER BY coalesce("finishedAt", "startedAt"), "id"`);
  return rows.map((r) => ({ cronRunId: r.id, cronType: r.cronType, status: r.status, at: r.at }));
}

function validDate(name: string, d: Date): Date {
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) throw new TypeError(`verifyAudit: ${name} is not a valid Date`);
  return d;
}

/**
 * Cross-checks every fact of the window against its audit row (convention 2): reports each fact
 * without its row and each success fact with more than one; with `repair`, writes the missing rows.
 * Then every recorded intent of the window against its effect (intent-checks.ts): with `repair`,
 * re-drives what can be without sending anything twice.
 * Also reports every cron run of the window that never did its work (failed for good, or stuck
 * RUNNING): audited or not, it is a run an operator must trigger again.
 */
export async function verifyAudit(db: Db, options: VerifyAuditOptions = {}): Promise<AuditReport> {
  const until = validDate("until", options.until ?? new Date());
  const since = validDate("since", options.since ?? new Date(until.getTime() - 7 * DAY_MS));
  if (since.getTime() >= until.getTime()) throw new RangeError(`verifyAudit: since (${since.toISOString()}) must be before until (${until.toISOString()})`);
  const marginMs = options.legacyMarginMs ?? DEFAULT_LEGACY_MARGIN_MS;
  const bounds = intentBounds(options.bounds);

  const checked = Object.fromEntries(AUDIT_CHECKS.map((c) => [c, 0])) as Record<AnyCheck, number>;
  const missing: MissingRow[] = [];
  const duplicated: DuplicatedRow[] = [];
  const repairs: MissingRow[] = [];
  // Sequential: each check is one statement on one connection, so a scheduled run never takes
  // more than one pool connection away from the workers.
  for (const c of CHECKS) {
    const result = await runCheck(db, c, since, until, marginMs);
    checked[c.name] = result.checked;
    for (const d of result.off) {
      if (d.rows > 1) duplicated.push({ check: c.name, entityId: d.entity, rows: d.rows });
    }
    const absent = result.off.filter((d) => d.rows === 0);
    if (absent.length === 0) continue;
    const entries = absent.map((d) => ({ check: c.name, entityId: d.entity, expectedLogId: c.idPrefix + d.entity }));
    if (options.repair) {
      // A row skipped by ON CONFLICT was written concurrently: present now, neither missing nor repaired.
      const written = new Set(await repairCheck(db, c, absent));
      repairs.push(...entries.filter((e) => written.has(e.expectedLogId)));
    } else {
      missing.push(...entries);
    }
  }
  const intents = await runIntentChecks(db, { since, until }, bounds, options.repair === true);
  Object.assign(checked, intents.checked);
  const unfinished = await unfinishedRuns(db, since, until, options.stuckRunMs ?? DEFAULT_STUCK_RUN_MS);
  return {
    since: since.toISOString(),
    until: until.toISOString(),
    checked,
    missing,
    duplicated,
    unfulfilled: intents.unfulfilled,
    repaired: repairs.length,
    redriven: intents.redriven.length,
    repairs,
    redrives: intents.redriven,
    unfinishedRuns: unfinished,
  };
}
