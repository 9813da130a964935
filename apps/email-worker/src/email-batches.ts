// The batches' state in PostgreSQL (tables "EmailBatch" and "PendingEmail"), in short transactions
// only: a copy claims a batch with a lease (FOR UPDATE SKIP LOCKED) and renews it while it works;
// a lapsed lease lets any copy take the batch over. Membership commits before a request is sent,
// `attemptedAt` freezes it with the request body, and every write of an outcome first checks, under
// the batch's row lock, that the writer still holds the lease.
import type { DbHandle } from "@callastar/db";
import type { MailMessage } from "@callastar/emails";
import { insertAuditRowsOnce } from "./audit-once";
import { attemptRow, dedupeRows, failedRow, skipRow, unknownRow, type StaleMember } from "./batch-rows";
import { boundedTx, type BoundedTx, type TxBounds, type TxClient } from "./bounded-tx";
import type { AcceptedEmail, EmailRecorder, EmailSubject } from "./email-record";
import { ADHOC_PRIORITY, REMINDER_PRIORITY } from "./pending-emails";

/** One member of a batch, in body order. */
export interface BatchMember {
  subject: EmailSubject;
  priority: number;
  message: MailMessage;
  /** When a reminder falls due (its call time less the lead): the batch leaves no earlier. Null: at once. */
  callDateTime: Date | null;
}

export interface Batch {
  /** Also the request's Idempotency-Key. */
  id: string;
  /** A request was (perhaps) sent: membership and body are frozen. */
  attempted: boolean;
  /** How long ago the first request was sent (PostgreSQL's clock), when attempted. */
  attemptAgeMs: number | null;
  attempts: number;
  /** The stored body, once attempted (null for a batch frozen before bodies were stored). */
  requestBody: string | null;
  members: BatchMember[];
}

/** The writer no longer holds the batch's lease: another copy took it over, or it is finished. */
export class LeaseLostError extends Error {
  override name = "LeaseLostError";
  constructor(batchId: string) {
    super(`lease on ${batchId} lost: another copy took the batch over or finished it`);
  }
}

const FAR_FUTURE = new Date("9999-01-01T00:00:00Z");
const LEASE_UNTIL = `CURRENT_TIMESTAMP + make_interval(secs => $2::float8 / 1000)`;

// An unfinished batch whose lease lapsed (its holder died, stopped or lost its connection) first,
// oldest first; SKIP LOCKED keeps two copies from taking the same one.
const TAKE_OVER = `
UPDATE "EmailBatch" SET "leaseOwner" = $1, "leaseExpiresAt" = ${LEASE_UNTIL}
WHERE id = (
  SELECT id FROM "EmailBatch"
  WHERE "unknownAt" IS NULL AND ("leaseExpiresAt" IS NULL OR "leaseExpiresAt" < CURRENT_TIMESTAMP)
  ORDER BY "createdAt" LIMIT 1 FOR UPDATE SKIP LOCKED)
RETURNING id`;

// The lanes, in one statement (membership all committed or not at all; SKIP LOCKED keeps copies
// disjoint): up to $7 ad-hoc emails that have waited since before $6 first (no ad-hoc email
// starves under continuous reminder traffic), then reminders, earliest call first, then ad-hoc
// emails, oldest first, filling the room left — up to $4 emails in the new batch $3, leased to $1.
// Reminders prepared ahead join only once their call is before $5 (about to fall due): a batch is
// gathered from what is due, so it is full, and leaves at its due time. With $8 false (an urgent
// send is waiting: reminders are going out), only reminders are taken, with the aged share riding
// along (a batch of ad-hoc emails alone would give way at once).
const CREATE = `
WITH aged AS (
  SELECT "idempotencyKey" FROM "PendingEmail"
  WHERE "batchId" IS NULL AND priority = ${ADHOC_PRIORITY} AND "createdAt" < $6::timestamp(3)
    AND ($8::boolean OR EXISTS (SELECT 1 FROM "PendingEmail" r WHERE r."batchId" IS NULL AND r.priority = ${REMINDER_PRIORITY} AND r."callDateTime" <= $5::timestamp(3)))
  ORDER BY "createdAt", "idempotencyKey" LIMIT $7 FOR UPDATE SKIP LOCKED),
rest AS (
  SELECT "idempotencyKey" FROM "PendingEmail"
  WHERE "batchId" IS NULL AND "idempotencyKey" NOT IN (SELECT "idempotencyKey" FROM aged)
    AND ((priority = ${REMINDER_PRIORITY} AND ("callDateTime" IS NULL OR "callDateTime" <= $5::timestamp(3))) OR (priority <> ${REMINDER_PRIORITY} AND $8::boolean))
  ORDER BY priority, "callDateTime", "createdAt", "idempotencyKey" LIMIT greatest(0, $4::int - (SELECT count(*) FROM aged)::int) FOR UPDATE SKIP LOCKED),
picked AS (SELECT "idempotencyKey", 0 AS lane FROM aged UNION ALL SELECT "idempotencyKey", 1 FROM rest),
b AS (INSERT INTO "EmailBatch" (id, "leaseOwner", "leaseExpiresAt") SELECT $3, $1, ${LEASE_UNTIL} WHERE EXISTS (SELECT 1 FROM picked) RETURNING id),
n AS (
  SELECT k."idempotencyKey", row_number() OVER (ORDER BY k.lane, p.priority, p."callDateTime", p."createdAt", p."idempotencyKey") AS pos
  FROM picked k JOIN "PendingEmail" p USING ("idempotencyKey"))
UPDATE "PendingEmail" p SET "batchId" = b.id, position = n.pos FROM n, b WHERE p."idempotencyKey" = n."idempotencyKey"`;

// An ad-hoc batch not yet attempted, given back (its sender gave way to reminders): its emails wait again.
const UNBATCH = `
WITH d AS (DELETE FROM "EmailBatch" WHERE id = $2 AND "leaseOwner" = $1 AND "attemptedAt" IS NULL RETURNING id)
UPDATE "PendingEmail" p SET "batchId" = NULL, position = NULL FROM d WHERE p."batchId" = d.id`;

const RENEW = `UPDATE "EmailBatch" SET "leaseExpiresAt" = ${LEASE_UNTIL} WHERE id = $3 AND "leaseOwner" = $1`;
const RELEASE = `UPDATE "EmailBatch" SET "leaseOwner" = NULL, "leaseExpiresAt" = NULL WHERE id = $2 AND "leaseOwner" = $1`;
// Locks the batch's row for the rest of the transaction, if this writer still holds it.
const HOLD = `SELECT 1 FROM "EmailBatch" WHERE id = $2 AND "leaseOwner" = $1 FOR UPDATE`;

const LOAD = `
SELECT "attemptedAt" IS NOT NULL AS attempted, attempts, "requestBody",
  (EXTRACT(EPOCH FROM CURRENT_TIMESTAMP - "attemptedAt") * 1000)::float8 AS "attemptAgeMs"
FROM "EmailBatch" WHERE id = $2 AND "leaseOwner" = $1`;

const MEMBERS = `
SELECT "idempotencyKey", priority, "emailType", "bookingId", "userId", "recipientEmail", message, "auditContext",
  to_char("callDateTime", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "callDateTime"
FROM "PendingEmail" WHERE "batchId" = $1 ORDER BY position`;

// Members that must not go out any more: already delivered (by any path), or reminders whose
// booking is gone, no longer CONFIRMED, or now at another time than the one the email announces.
const STALE_MEMBERS = (batchParam: string) => `
FROM "PendingEmail" p
LEFT JOIN "Booking" b ON b.id = p."bookingId"
LEFT JOIN "CallOffer" o ON o.id = b."callOfferId"
WHERE p."batchId" = ${batchParam} AND (
  EXISTS (SELECT 1 FROM "EmailDelivery" d WHERE d."idempotencyKey" = p."idempotencyKey")
  OR (p.priority = ${REMINDER_PRIORITY} AND (b.id IS NULL OR b.status <> 'CONFIRMED' OR o."dateTime" IS DISTINCT FROM p."callDateTime")))`;

const STALE = `
SELECT p."idempotencyKey" AS key, p."bookingId", to_char(p."callDateTime", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "callDateTime", b.status,
  EXISTS (SELECT 1 FROM "EmailDelivery" d WHERE d."idempotencyKey" = p."idempotencyKey") AS delivered
${STALE_MEMBERS("$1")}
FOR UPDATE OF p`;

// The body is stored before the rate slot (it can be a megabyte); the statement that freezes it
// right after the slot writes only the time.
const STORE_BODY = `UPDATE "EmailBatch" SET "requestBody" = $3 WHERE id = $2 AND "leaseOwner" = $1 AND "attemptedAt" IS NULL`;
const STORE_BODY_AND_FREEZE = `UPDATE "EmailBatch" SET "requestBody" = $3, "attemptedAt" = CURRENT_TIMESTAMP WHERE id = $2 AND "leaseOwner" = $1 AND "attemptedAt" IS NULL`;
const FREEZE_IF_UNCHANGED = `UPDATE "EmailBatch" SET "attemptedAt" = CURRENT_TIMESTAMP WHERE id = $2 AND "leaseOwner" = $1 AND "attemptedAt" IS NULL
  AND NOT EXISTS (SELECT 1 ${STALE_MEMBERS("$2")})`;

const COUNT_ATTEMPT = `UPDATE "EmailBatch" SET attempts = attempts + 1 WHERE id = $2 AND "leaseOwner" = $1 RETURNING attempts`;
const MARK_UNKNOWN = `
UPDATE "EmailBatch" SET "unknownAt" = CURRENT_TIMESTAMP, "unknownReason" = $3, "leaseOwner" = NULL, "leaseExpiresAt" = NULL
WHERE id = $2 AND "leaseOwner" = $1`;

/** Which waiting emails a new batch may take (the lane rules, see CREATE). */
export interface Lanes {
  /** Reminders join once their call is before this (about to fall due). */
  callsBefore: Date;
  /** False while reminders are going out: ad-hoc emails join only through their aged share. */
  adhoc: boolean;
  /** Ad-hoc emails queued before this have waited too long: they go first, up to `agedShare` of them. */
  agedBefore: Date;
  agedShare: number;
}

/** Every lane open, everything due: the sending alone, without lane rules. */
const ALL_LANES = (): Lanes => ({ callsBefore: FAR_FUTURE, adhoc: true, agedBefore: new Date(0), agedShare: 0 });

/** A claim of one batch by one holder (`owner`), from the store's point of view. */
export interface Claim {
  batchId: string;
  owner: string;
}

export function createBatchStore(db: DbHandle, recorder: EmailRecorder, bounds?: TxBounds) {
  const tx: BoundedTx = boundedTx(db.sql, bounds);
  const hold = async (t: TxClient, c: Claim) => {
    if ((await t.unsafe(HOLD, [c.owner, c.batchId])).length === 0) throw new LeaseLostError(c.batchId);
  };
  return {
    /**
     * Claims a batch for `owner` for `leaseMs`: one whose lease lapsed, else a new one of up to
     * `size` waiting emails (id `newId`) taken by the lane rules (`lanes`). Null when nothing is due.
     */
    async claim(owner: string, newId: string, size: number, leaseMs: number, lanes: Lanes = ALL_LANES()): Promise<string | null> {
      return tx(async (t) => {
        const [taken] = await t.unsafe<Array<{ id: string }>>(TAKE_OVER, [owner, leaseMs]);
        if (taken) return taken.id;
        const created = await t.unsafe(CREATE, [
          owner,
          leaseMs,
          newId,
          size,
          lanes.callsBefore.toISOString(),
          lanes.agedBefore.toISOString(),
          Math.min(size, lanes.agedShare),
          lanes.adhoc,
        ]);
        return created.count > 0 ? newId : null;
      });
    },
    /** Gives a batch never attempted back (its holder gave way to reminders): its emails wait for the next claim. */
    async unbatch(c: Claim): Promise<void> {
      await tx(async (t) => {
        await hold(t, c);
        await t.unsafe(UNBATCH, [c.owner, c.batchId]);
      });
    },
    /** Extends the lease by `leaseMs` from now; false when `owner` no longer holds it. */
    async renew(c: Claim, leaseMs: number): Promise<boolean> {
      return tx(async (t) => (await t.unsafe(RENEW, [c.owner, leaseMs, c.batchId])).count === 1);
    },
    /** Gives the lease up (stopping): any copy may take the batch at once. */
    async release(c: Claim): Promise<void> {
      await tx((t) => t.unsafe(RELEASE, [c.owner, c.batchId]));
    },
    /** The claimed batch with its members, or null when `owner` does not hold it (any more). */
    async load(c: Claim): Promise<Batch | null> {
      return tx(async (t) => {
        const [batch] = await t.unsafe<Array<{ attempted: boolean; attempts: number; requestBody: string | null; attemptAgeMs: number | null }>>(LOAD, [
          c.owner,
          c.batchId,
        ]);
        if (!batch) return null;
        const rows = await t.unsafe<Array<Record<string, unknown>>>(MEMBERS, [c.batchId]);
        const members = rows.map((r) => ({
          subject: {
            idempotencyKey: r.idempotencyKey as string,
            emailType: r.emailType as string,
            to: r.recipientEmail as string,
            bookingId: r.bookingId as string | null,
            userId: r.userId as string | null,
            context: { ...(r.auditContext as Record<string, unknown>), batchId: c.batchId },
          },
          priority: r.priority as number,
          message: JSON.parse(r.message as string) as MailMessage,
          callDateTime: r.callDateTime ? new Date(r.callDateTime as string) : null,
        }));
        return { id: c.batchId, ...batch, members };
      });
    },
    /**
     * Drops the members that must not go out any more (a skipped reminder gets its `reminder-skip:`
     * row; a moved one is marked unsent again, for its new time) and stores the body `encode` makes
     * of the members left (null for a transport without batches), in one transaction; with
     * `freeze`, also freezes membership and body. The members left, in body order, and the body.
     */
    async prune(
      c: Claim,
      members: readonly BatchMember[],
      encode: (left: BatchMember[]) => string | null,
      freeze: boolean,
    ): Promise<{ members: BatchMember[]; body: string | null }> {
      return tx(async (t) => {
        await hold(t, c);
        const stale = await t.unsafe<StaleMember[]>(STALE, [c.batchId]);
        const skipRows = stale.filter((s) => !s.delivered).map(skipRow);
        const moved = [...new Set(stale.filter((s) => !s.delivered && s.status === "CONFIRMED").map((s) => s.bookingId!))];
        if (stale.length > 0) {
          await t.unsafe(`DELETE FROM "PendingEmail" WHERE "idempotencyKey" = ANY($1::text[])`, [stale.map((s) => s.key)]);
          await insertAuditRowsOnce(t, dedupeRows(skipRows));
        }
        if (moved.length > 0) await t.unsafe(`UPDATE "Booking" SET "reminderSent" = false WHERE id = ANY($1::text[])`, [moved]);
        const gone = new Set(stale.map((s) => s.key));
        const left = members.filter((m) => !gone.has(m.subject.idempotencyKey));
        if (left.length === 0) return { members: left, body: null };
        const body = encode(left);
        await t.unsafe(freeze ? STORE_BODY_AND_FREEZE : STORE_BODY, [c.owner, c.batchId, body]);
        return { members: left, body };
      });
    },
    /**
     * Freezes membership and the body `prune` stored in one short statement, unless a member went
     * stale since (then false: prune again with `freeze`). Short, so the request leaves right after its rate slot.
     */
    async freezeIfUnchanged(c: Claim): Promise<boolean> {
      return tx(async (t) => (await t.unsafe(FREEZE_IF_UNCHANGED, [c.owner, c.batchId], { prepare: true })).count === 1);
    },
    /** Counts a failed attempt and commits its EMAIL_ERROR row with it; the attempt's number. */
    async countAttempt(c: Claim, error: unknown, subjects: readonly EmailSubject[]): Promise<number> {
      return tx(async (t) => {
        const [row] = await t.unsafe<Array<{ attempts: number }>>(COUNT_ATTEMPT, [c.owner, c.batchId]);
        if (!row) throw new LeaseLostError(c.batchId);
        await insertAuditRowsOnce(t, [attemptRow(c.batchId, row.attempts, error, subjects)]);
        return row.attempts;
      });
    },
    /** Leaves the batch's emails in the "unknown" state (no more retries), with its row. */
    async markUnknown(c: Claim, reason: string, error: unknown, subjects: readonly EmailSubject[]): Promise<void> {
      await tx(async (t) => {
        if ((await t.unsafe(MARK_UNKNOWN, [c.owner, c.batchId, reason])).count === 0) throw new LeaseLostError(c.batchId);
        await insertAuditRowsOnce(t, [unknownRow(c.batchId, reason, error, subjects)]);
      });
    },
    /**
     * Records the outcome: every accepted email's delivery and EMAIL_SENT row, every refused one's
     * final EMAIL_ERROR row (id `email-failed:<key>`), and removes the batch, in one transaction.
     */
    async finish(c: Claim, accepted: readonly AcceptedEmail[], refused: ReadonlyArray<{ subject: EmailSubject; error: unknown }>): Promise<void> {
      await tx(async (t) => {
        await hold(t, c);
        await recorder.record(accepted, t);
        await insertAuditRowsOnce(t, refused.map((r) => failedRow(recorder.contextOf(r.subject), r.subject, r.error)));
        await t.unsafe(`DELETE FROM "PendingEmail" WHERE "batchId" = $1`, [c.batchId]);
        await t.unsafe(`DELETE FROM "EmailBatch" WHERE id = $1`, [c.batchId]);
      });
    },
  };
}

export type BatchStore = ReturnType<typeof createBatchStore>;
