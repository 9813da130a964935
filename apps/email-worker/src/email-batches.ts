// The batches' state in PostgreSQL (tables "EmailBatch" and "PendingEmail"): membership commits
// before a request is sent, `attemptedAt` freezes it, and the outcome, every email's record and
// audit row, and the batch's removal commit together.
import type { DbHandle, Sql } from "@callastar/db";
import type { StoredRow } from "@callastar/logger";
import { auditRows, LogType } from "@callastar/logger";
import type { MailMessage } from "@callastar/emails";
import { emailAuditIds, insertAuditRowsOnce } from "./audit-once";
import type { AcceptedEmail, EmailRecorder, EmailSubject } from "./email-record";
import { REMINDER_PRIORITY } from "./pending-emails";

/** One member of a batch, in body order. */
export interface BatchMember {
  subject: EmailSubject;
  priority: number;
  message: MailMessage;
}

export interface Batch {
  /** Also the request's Idempotency-Key. */
  id: string;
  /** A request was (perhaps) sent: membership is frozen. */
  attempted: boolean;
  attempts: number;
  members: BatchMember[];
}

// Session-level advisory locks live as long as the connection: a SIGKILLed holder's PostgreSQL
// connection closes and its batch can be taken at once by any copy.
const LOCK = `SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok`;
const UNLOCK = `SELECT pg_advisory_unlock(hashtextextended($1, 0))`;

// Takes up to $2 unbatched emails, reminders first, oldest first, into the new batch $1: one
// statement, so membership is all committed or not at all; SKIP LOCKED keeps copies disjoint.
const CREATE = `
WITH picked AS (
  SELECT "idempotencyKey", priority, "createdAt" FROM "PendingEmail" WHERE "batchId" IS NULL
  ORDER BY priority, "createdAt", "idempotencyKey" LIMIT $2 FOR UPDATE SKIP LOCKED),
b AS (INSERT INTO "EmailBatch" (id) SELECT $1 WHERE EXISTS (SELECT 1 FROM picked) RETURNING id),
n AS (SELECT "idempotencyKey", row_number() OVER (ORDER BY priority, "createdAt", "idempotencyKey") AS pos FROM picked)
UPDATE "PendingEmail" p SET "batchId" = b.id, position = n.pos FROM n, b WHERE p."idempotencyKey" = n."idempotencyKey"`;

const MEMBERS = `
SELECT "idempotencyKey", priority, "emailType", "bookingId", "userId", "recipientEmail", message, "auditContext"
FROM "PendingEmail" WHERE "batchId" = $1 ORDER BY position`;

// Members that must not go out any more: already delivered (by any path), or reminders whose
// booking is gone, no longer CONFIRMED, or now at another time than the one the email announces.
const STALE_MEMBERS = `
FROM "PendingEmail" p
LEFT JOIN "Booking" b ON b.id = p."bookingId"
LEFT JOIN "CallOffer" o ON o.id = b."callOfferId"
WHERE p."batchId" = $1 AND (
  EXISTS (SELECT 1 FROM "EmailDelivery" d WHERE d."idempotencyKey" = p."idempotencyKey")
  OR (p.priority = ${REMINDER_PRIORITY} AND (b.id IS NULL OR b.status <> 'CONFIRMED' OR o."dateTime" IS DISTINCT FROM p."callDateTime")))`;

const STALE = `
SELECT p."idempotencyKey" AS key, p."bookingId", to_char(p."callDateTime", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "callDateTime", b.status,
  EXISTS (SELECT 1 FROM "EmailDelivery" d WHERE d."idempotencyKey" = p."idempotencyKey") AS delivered
${STALE_MEMBERS}
FOR UPDATE OF p`;

const FREEZE_IF_UNCHANGED = `UPDATE "EmailBatch" SET "attemptedAt" = CURRENT_TIMESTAMP WHERE id = $1 AND NOT EXISTS (SELECT 1 ${STALE_MEMBERS})`;

interface StaleRow {
  key: string;
  bookingId: string | null;
  /** ISO, as the email announced it. */
  callDateTime: string | null;
  status: string | null;
  delivered: boolean;
}

export function createBatchStore(db: DbHandle, recorder: EmailRecorder) {
  const { sql } = db;
  return {
    /** Tries to take batch `id` for this connection: false when another copy holds it. */
    async tryLock(conn: Sql, id: string): Promise<boolean> {
      const [row] = await conn.unsafe<Array<{ ok: boolean }>>(LOCK, [id]);
      return row?.ok === true;
    },
    async unlock(conn: Sql, id: string): Promise<void> {
      await conn.unsafe(UNLOCK, [id]);
    },
    /** Batches created and not finished, oldest first (some may be held by other copies). */
    async openBatchIds(limit: number): Promise<string[]> {
      const rows = await sql.unsafe<Array<{ id: string }>>(`SELECT id FROM "EmailBatch" ORDER BY "createdAt" LIMIT $1`, [limit]);
      return rows.map((r) => r.id);
    },
    /** Creates batch `id` from up to `size` waiting emails; the number taken. */
    async create(id: string, size: number): Promise<number> {
      const result = await sql.unsafe(CREATE, [id, size]);
      return result.count;
    },
    /** The batch with its members, or null once it is finished. */
    async load(id: string): Promise<Batch | null> {
      const [batch] = await sql.unsafe<Array<{ attempted: boolean; attempts: number }>>(
        `SELECT "attemptedAt" IS NOT NULL AS attempted, attempts FROM "EmailBatch" WHERE id = $1`,
        [id],
      );
      if (!batch) return null;
      const rows = await sql.unsafe<Array<Record<string, unknown>>>(MEMBERS, [id]);
      const members = rows.map((r) => ({
        subject: {
          idempotencyKey: r.idempotencyKey as string,
          emailType: r.emailType as string,
          to: r.recipientEmail as string,
          bookingId: r.bookingId as string | null,
          userId: r.userId as string | null,
          context: { ...(r.auditContext as Record<string, unknown>), batchId: id },
        },
        priority: r.priority as number,
        message: JSON.parse(r.message as string) as MailMessage,
      }));
      return { id, attempted: batch.attempted, attempts: batch.attempts, members };
    },
    /**
     * Drops the members that must not go out any more (a skipped reminder gets its `reminder-skip:`
     * row; a moved one is marked unsent again, for its new time), in one transaction; with
     * `attempt`, also freezes membership. The members left, in body order.
     */
    async prune(batch: Batch, attempt: boolean): Promise<BatchMember[]> {
      return sql.begin<BatchMember[]>(async (tx) => {
        const stale = await tx.unsafe<StaleRow[]>(STALE, [batch.id]);
        const skipRows = stale.filter((s) => !s.delivered).map(skipRow);
        const moved = [...new Set(stale.filter((s) => !s.delivered && s.status === "CONFIRMED").map((s) => s.bookingId!))];
        if (stale.length > 0) {
          await tx.unsafe(`DELETE FROM "PendingEmail" WHERE "idempotencyKey" = ANY($1::text[])`, [stale.map((s) => s.key)]);
          await insertAuditRowsOnce(tx, dedupe(skipRows));
        }
        if (moved.length > 0) await tx.unsafe(`UPDATE "Booking" SET "reminderSent" = false WHERE id = ANY($1::text[])`, [moved]);
        if (attempt) await tx.unsafe(`UPDATE "EmailBatch" SET "attemptedAt" = CURRENT_TIMESTAMP WHERE id = $1`, [batch.id]);
        const gone = new Set(stale.map((s) => s.key));
        return batch.members.filter((m) => !gone.has(m.subject.idempotencyKey));
      });
    },
    /**
     * Freezes membership in one short statement, unless a member went stale since `prune` (then
     * false: prune again with `attempt`). Short, so the request leaves right after its rate slot.
     */
    async freezeIfUnchanged(id: string): Promise<boolean> {
      const result = await sql.unsafe(FREEZE_IF_UNCHANGED, [id], { prepare: true });
      return result.count === 1;
    },
    async countAttempt(id: string): Promise<void> {
      await sql.unsafe(`UPDATE "EmailBatch" SET attempts = attempts + 1 WHERE id = $1`, [id]);
    },
    /**
     * Records the outcome: every accepted email's delivery and EMAIL_SENT row, every refused one's
     * final EMAIL_ERROR row (id `email-failed:<key>`), and removes the batch, in one transaction.
     */
    async finish(id: string, accepted: readonly AcceptedEmail[], refused: ReadonlyArray<{ subject: EmailSubject; error: unknown }>): Promise<void> {
      await sql.begin(async (tx) => {
        await recorder.record(accepted, tx);
        await insertAuditRowsOnce(tx, refused.map((r) => failedRow(recorder.contextOf(r.subject), r)));
        await tx.unsafe(`DELETE FROM "PendingEmail" WHERE "batchId" = $1`, [id]);
        await tx.unsafe(`DELETE FROM "EmailBatch" WHERE id = $1`, [id]);
      });
    },
  };
}

export type BatchStore = ReturnType<typeof createBatchStore>;

/** The deterministic id of a batched email's final failure row. */
const emailFailedId = (idempotencyKey: string) => `email-failed:${idempotencyKey}`;

function failedRow(context: Record<string, unknown>, r: { subject: EmailSubject; error: unknown }): StoredRow {
  const { subject: s, error } = r;
  return {
    ...auditRows.logEmailError(s.bookingId, s.userId, s.emailType, error, { ...context, stage: "send", final: true }),
    id: emailFailedId(s.idempotencyKey),
  };
}

function skipRow(s: StaleRow): StoredRow {
  const reason = s.status === null ? "not_found" : s.status !== "CONFIRMED" ? "not_confirmed" : "call_moved";
  const row = auditRows.logSuccess(LogType.NOTIFICATION_SENT, `Booking reminder for ${s.bookingId} not sent: ${reason}`, {
    bookingId: s.bookingId,
    emailType: "booking_reminder",
    skipped: true,
    reason,
    stage: "batch",
    ...(s.callDateTime ? { callDateTime: s.callDateTime } : {}),
    ...(s.status && s.status !== "CONFIRMED" ? { bookingStatus: s.status } : {}),
  });
  const at = s.status === null || !s.callDateTime ? null : new Date(s.callDateTime);
  return { ...row, id: emailAuditIds.reminderSkip(s.bookingId!, at) };
}

// A booking's two reminder emails give one skip row.
const dedupe = (rows: StoredRow[]) => [...new Map(rows.map((r) => [r.id, r])).values()];
