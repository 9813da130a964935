// Recorded intents without their effect: a booking marked reminded whose emails were never
// delivered, an email or a batch waiting longer than any healthy sender takes, an email whose outcome
// is unknown, an outbox row never carried through. The fact checks (checks.ts) find facts without
// their audit row; these find promises without their fact. Each is one statement over the window.
import { sql, type SQL } from "drizzle-orm";
import type { Db } from "@callastar/db";
import type { IntentCheck, Unfulfilled } from "./report";

/** How late each intent may be before it is reported (minutes); the defaults suit production. */
export interface IntentBounds {
  /** A reminder is due this long before its call (the email worker's REMINDER_LEAD_MINUTES). */
  reminderLeadMinutes: number;
  /** A reminded booking's two emails are delivered (or their skip or failure recorded) within this after their due time. */
  reminderGraceMinutes: number;
  /** A "PendingEmail" or "EmailBatch" row is gone (sent and recorded) within this after its creation. */
  pendingMaxMinutes: number;
  /** A "JobOutbox" row is done (relayed; an email delivered) within this after its creation. */
  outboxMaxMinutes: number;
}

export const DEFAULT_INTENT_BOUNDS: IntentBounds = { reminderLeadMinutes: 15, reminderGraceMinutes: 15, pendingMaxMinutes: 15, outboxMaxMinutes: 30 };

/** One unfulfilled intent as a check's statement returns it. */
interface Off {
  entity: string;
  detail: string;
  since: string;
  /** --repair can re-drive it without sending anything twice. */
  repairable: boolean;
}

interface IntentDefinition {
  name: IntentCheck;
  statement(w: { since: Date; until: Date }, b: IntentBounds): SQL;
  /** Re-drives the repairable ones; returns the entity ids re-driven. */
  redrive?(db: Db, ids: string[]): Promise<string[]>;
}

// Timestamps are `timestamp(3)` holding UTC (the schema's convention).
const ts = (d: Date) => sql`(${d.toISOString()}::timestamptz AT TIME ZONE 'UTC')`;
const NOW = sql`(CURRENT_TIMESTAMP AT TIME ZONE 'UTC')`;
const minutes = (m: number) => m * 60_000;
const iso = (column: string) => sql.raw(`to_char(${column}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

// The checked count and the unfulfilled ones, from a CTE `c` (every intent of the window) and `off`.
const result = (checked: SQL, off: SQL) => sql`
  SELECT (${checked})::int AS checked,
    coalesce((SELECT json_agg(json_build_object('entity', o.entity, 'detail', o.detail, 'since', o.since, 'repairable', o.repairable) ORDER BY o.since, o.entity) FROM (${off}) o), '[]'::json) AS off`;

const ids = (rows: Array<{ id: string }>) => rows.map((r) => r.id);
// One array parameter (a plain array in drizzle's sql would become a list of parameters).
const textArray = (values: string[]) => sql`${sql.param(values)}::text[]`;

const INTENT_DEFINITIONS: readonly IntentDefinition[] = [
  {
    // A booking marked reminded: each of its two emails delivered, refused for good (its final
    // row), skipped (the batch's skip row for its call time), or still on its way ("PendingEmail",
    // which the checks below age). Keys as the email path derives them: booking_reminder:<id>:<role>.
    name: "reminder-emails",
    statement: ({ since, until }, b) => {
      const from = new Date(since.getTime() + minutes(b.reminderLeadMinutes));
      const to = new Date(until.getTime() - minutes(b.reminderGraceMinutes) + minutes(b.reminderLeadMinutes));
      const reminded = sql`SELECT bk.id, o."dateTime" AS call FROM "Booking" bk JOIN "CallOffer" o ON o.id = bk."callOfferId"
        WHERE bk."reminderSent" AND o."dateTime" >= ${ts(from)} AND o."dateTime" < ${ts(to)}`;
      const missing = sql`SELECT r.id, r.call, string_agg(v.role, ' and ' ORDER BY v.role) AS roles
        FROM (${reminded}) r CROSS JOIN (VALUES ('client'), ('creator')) AS v(role)
        WHERE NOT EXISTS (SELECT 1 FROM "EmailDelivery" d WHERE d."bookingId" = r.id AND d."emailType" = 'booking_reminder_' || v.role)
          AND NOT EXISTS (SELECT 1 FROM "PendingEmail" p WHERE p."bookingId" = r.id AND p."emailType" = 'booking_reminder_' || v.role)
          AND NOT EXISTS (SELECT 1 FROM "Log" l WHERE l.id = 'email-failed:booking_reminder:' || r.id || ':' || v.role)
          AND NOT EXISTS (SELECT 1 FROM "Log" l WHERE l.id = 'reminder-skip:' || r.id || ':' || ${iso("r.call")})
        GROUP BY r.id, r.call`;
      return result(
        sql`SELECT count(*) FROM (${reminded}) x`,
        sql`SELECT m.id AS entity, 'marked reminded, no reminder delivered to the ' || m.roles AS detail,
            ${iso(`m.call - interval '${b.reminderLeadMinutes} minutes'`)} AS since, m.call > ${NOW} AS repairable FROM (${missing}) m`,
      );
    },
    // Marked unsent again, the sweep queues what is missing (the reminder job skips an email
    // already delivered); only for calls still ahead, where a reminder is still worth sending.
    redrive: async (db, entities) =>
      ids(
        await db.execute<{ id: string }>(
          sql`UPDATE "Booking" SET "reminderSent" = false WHERE id = ANY(${textArray(entities)}) AND "reminderSent" AND status = 'CONFIRMED' RETURNING id`,
        ),
      ),
  },
  {
    // Queued (a reminder or an ad-hoc email alike) and never taken into a batch: no sender is running, or every one is stuck.
    name: "pending-emails",
    statement: ({ since, until }, b) =>
      result(
        sql`SELECT count(*) FROM "PendingEmail" WHERE "createdAt" >= ${ts(since)} AND "createdAt" < ${ts(until)}`,
        sql`SELECT "idempotencyKey" AS entity,
            'queued (' || CASE WHEN priority = 0 THEN 'reminder' ELSE 'ad-hoc' END || ' ' || "emailType" || '), not yet in a batch' AS detail, ${iso(`"createdAt"`)} AS since, false AS repairable
          FROM "PendingEmail" WHERE "batchId" IS NULL AND "createdAt" >= ${ts(since)} AND "createdAt" < ${ts(new Date(until.getTime() - minutes(b.pendingMaxMinutes)))}`,
      ),
  },
  {
    // A batch not finished in time (its outcome unknown is the next check's).
    name: "email-batches",
    statement: ({ since, until }, b) =>
      result(
        sql`SELECT count(*) FROM "EmailBatch" WHERE "createdAt" >= ${ts(since)} AND "createdAt" < ${ts(until)}`,
        sql`SELECT id AS entity,
            CASE WHEN "attemptedAt" IS NULL THEN 'batched, never sent'
              ELSE 'sent ' || attempts || ' failed time(s) since ' || ${iso(`"attemptedAt"`)} || ', no answer recorded' END AS detail,
            ${iso(`"createdAt"`)} AS since,
            ("attemptedAt" IS NULL AND ("leaseExpiresAt" IS NULL OR "leaseExpiresAt" < ${NOW})) AS repairable
          FROM "EmailBatch" WHERE "unknownAt" IS NULL AND "createdAt" >= ${ts(since)} AND "createdAt" < ${ts(new Date(until.getTime() - minutes(b.pendingMaxMinutes)))}`,
      ),
    // Never sent and held by no one: its emails go back to the pending set (nothing left Resend).
    redrive: (db, entities) =>
      db.transaction(async (tx) => {
        const free = ids(
          await tx.execute<{ id: string }>(
            sql`SELECT id FROM "EmailBatch" WHERE id = ANY(${textArray(entities)}) AND "attemptedAt" IS NULL
              AND ("leaseExpiresAt" IS NULL OR "leaseExpiresAt" < ${NOW}) FOR UPDATE SKIP LOCKED`,
          ),
        );
        if (free.length === 0) return [];
        await tx.execute(sql`UPDATE "PendingEmail" SET "batchId" = NULL, position = NULL WHERE "batchId" = ANY(${textArray(free)})`);
        await tx.execute(sql`DELETE FROM "EmailBatch" WHERE id = ANY(${textArray(free)})`);
        return free;
      }),
  },
  {
    // Perhaps delivered, perhaps not, and retrying can no longer tell: for an operator to settle.
    name: "unknown-emails",
    statement: ({ since, until }) =>
      result(
        sql`SELECT count(*) FROM "PendingEmail" p JOIN "EmailBatch" e ON e.id = p."batchId" WHERE e."createdAt" >= ${ts(since)} AND e."createdAt" < ${ts(until)}`,
        sql`SELECT p."idempotencyKey" AS entity, 'outcome unknown (batch ' || e.id || '): ' || coalesce(e."unknownReason", '') AS detail,
            ${iso(`e."unknownAt"`)} AS since, false AS repairable
          FROM "PendingEmail" p JOIN "EmailBatch" e ON e.id = p."batchId"
          WHERE e."unknownAt" IS NOT NULL AND e."createdAt" >= ${ts(since)} AND e."createdAt" < ${ts(until)}`,
      ),
  },
  {
    // Committed by the main app and not carried through: the relay (which re-drives these itself) is down or stuck.
    name: "outbox-waiting",
    statement: ({ since, until }, b) =>
      result(
        sql`SELECT count(*) FROM "JobOutbox" WHERE "createdAt" >= ${ts(since)} AND "createdAt" < ${ts(until)}`,
        sql`SELECT id AS entity,
            kind || ' ' || "jobId" || CASE WHEN "relayedAt" IS NULL THEN ': not relayed to Redis' ELSE ': relayed, its email not delivered' END AS detail,
            ${iso(`"createdAt"`)} AS since, false AS repairable
          FROM "JobOutbox" WHERE "completedAt" IS NULL AND "createdAt" >= ${ts(since)} AND "createdAt" < ${ts(new Date(until.getTime() - minutes(b.outboxMaxMinutes)))}`,
      ),
  },
];

/** Runs every intent check over the window; with `repair`, re-drives the repairable ones. */
export async function runIntentChecks(
  db: Db,
  window: { since: Date; until: Date },
  bounds: IntentBounds,
  repair: boolean,
): Promise<{ checked: Record<IntentCheck, number>; unfulfilled: Unfulfilled[]; redriven: Unfulfilled[] }> {
  const checked = {} as Record<IntentCheck, number>;
  const unfulfilled: Unfulfilled[] = [];
  const redriven: Unfulfilled[] = [];
  for (const c of INTENT_DEFINITIONS) {
    const [row] = await db.execute<{ checked: number; off: Off[] | string }>(c.statement(window, bounds));
    if (!row) throw new Error(`check ${c.name} returned no row`);
    checked[c.name] = Number(row.checked);
    const off = typeof row.off === "string" ? (JSON.parse(row.off) as Off[]) : row.off;
    const done = new Set(repair && c.redrive ? await c.redrive(db, off.filter((o) => o.repairable).map((o) => o.entity)) : []);
    for (const o of off) (done.has(o.entity) ? redriven : unfulfilled).push({ check: c.name, entityId: o.entity, detail: o.detail, since: o.since });
  }
  return { checked, unfulfilled, redriven };
}

/** Bounds with every value checked: a positive number of minutes, else a RangeError naming it. */
export function intentBounds(partial: Partial<IntentBounds> = {}): IntentBounds {
  const b = { ...DEFAULT_INTENT_BOUNDS, ...partial };
  for (const [name, value] of Object.entries(b)) {
    if (!Number.isFinite(value) || value <= 0) throw new RangeError(`verifyAudit: bounds.${name} must be a positive number of minutes (got ${String(value)})`);
  }
  return b;
}
