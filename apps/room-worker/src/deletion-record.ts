// The DailyRoomDeletion fact and its audit row. A deletion is claimed (DELETING, committed) with a
// lease before Daily's DELETE, so a retry after a crash knows the DELETE was very likely ours and two
// racing copies send one DELETE between them; Daily is called with no transaction open, and the
// deletion is then finished — booking cleared, status set, DAILY_ROOM_DELETED row — in one short
// transaction holding its row lock.
import { createHash } from "node:crypto";
import type { RoomDeletionStatus, Sql } from "@callastar/db";
import { TransientError } from "@callastar/errors";
import { DAILY_ROOM_NAME_MAX_LENGTH, DAILY_ROOM_NAME_PATTERN } from "@callastar/integrations/daily";
import { insertRowsAfter, rowParameters, type StoredRow } from "@callastar/audit-log";

/** A transaction of the postgres.js client. */
export type Tx = Parameters<Extract<Parameters<Sql["begin"]>[1], (...args: never[]) => unknown>>[0];

/** One row of "DailyRoomDeletion". */
export interface RoomDeletion {
  id: string;
  bookingId: string;
  roomName: string;
  status: RoomDeletionStatus;
  deletedBy: string;
  failureReason: string | null;
}

/** The deterministic ids of a deletion's audit rows (what the reconciler looks for). */
export const roomAuditIds = {
  deleted: (deletionId: string) => `room-deleted:${deletionId}`,
  refused: (deletionId: string) => `room-refused:${deletionId}`,
};

/**
 * The deletion's id, from booking and room: `<bookingId>:<roomName>`, the name hashed when it is not
 * a valid Daily name (it may hold anything). A room set again on the booking after its deletion is
 * a new deletion, generation 2, 3…: `#<n>` is appended.
 */
export function deletionIdFor(bookingId: string, roomName: string, generation = 1): string {
  const valid = DAILY_ROOM_NAME_PATTERN.test(roomName) && roomName.length <= DAILY_ROOM_NAME_MAX_LENGTH;
  const room = valid ? roomName : `invalid-${createHash("sha256").update(roomName).digest("hex").slice(0, 16)}`;
  return `${bookingId}:${room}${generation > 1 ? `#${generation}` : ""}`;
}

const COLUMNS = `id, "bookingId", "roomName", status, "deletedBy", "failureReason"`;

/** The booking's latest deletion of this room and how many there were, or null. */
export async function findLatestDeletion(sql: Sql, bookingId: string, roomName: string) {
  const [row] = await sql<Array<RoomDeletion & { generations: string }>>`
    SELECT ${sql.unsafe(COLUMNS)}, count(*) OVER () AS generations FROM "DailyRoomDeletion"
    WHERE "bookingId" = ${bookingId} AND "roomName" = ${roomName}
    ORDER BY "requestedAt" DESC, id DESC LIMIT 1`;
  return row ? { deletion: withoutCount(row), generations: Number(row.generations) } : null;
}

/** What leasing a deletion found: this attempt holds it (`claimedBefore`: it existed already), or another finished it. */
export type DeletionLease = { kind: "leased"; claimedBefore: boolean } | { kind: "finished"; deletion: RoomDeletion };

// Creates the DELETING row with a lease, or takes the lease of a DELETING row whose lease lapsed
// (its holder died or gave up) or that this very job incarnation held (its rerun after a crash).
const LEASE = `
  WITH up AS (
    INSERT INTO "DailyRoomDeletion" (id, "bookingId", "roomName", status, "deletedBy", "requestedAt", "leaseUntil", "leasedBy")
    VALUES ($1, $2, $3, 'DELETING', $4, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP + $5::float8 * interval '1 millisecond', $6)
    ON CONFLICT (id) DO UPDATE SET "leaseUntil" = EXCLUDED."leaseUntil", "leasedBy" = EXCLUDED."leasedBy", "updatedAt" = CURRENT_TIMESTAMP
    WHERE "DailyRoomDeletion".status = 'DELETING' AND ("DailyRoomDeletion"."leaseUntil" IS NULL
      OR "DailyRoomDeletion"."leaseUntil" < CURRENT_TIMESTAMP OR "DailyRoomDeletion"."leasedBy" = EXCLUDED."leasedBy")
    RETURNING (xmax = 0) AS inserted
  )
  SELECT (SELECT count(*) FROM up)::int AS leased, (SELECT bool_and(inserted) FROM up) AS inserted`;

/**
 * Leases the deletion to `holder` (the job incarnation) for `leaseMs` before Daily is called (one
 * short statement, no lock kept): a copy finding another holder's lease waits, polling, until it
 * finishes (→ `finished`) or its lease lapses (→ taken over), at most `waitMs`, then fails its
 * attempt (retried later).
 */
export async function leaseDeletion(
  sql: Sql,
  d: Pick<RoomDeletion, "id" | "bookingId" | "roomName" | "deletedBy">,
  options: { holder: string; leaseMs: number; waitMs: number; pollMs?: number },
): Promise<DeletionLease> {
  const deadline = Date.now() + options.waitMs;
  for (;;) {
    const params = [d.id, d.bookingId, d.roomName, d.deletedBy, options.leaseMs, options.holder];
    const [r] = await sql.unsafe<Array<{ leased: number; inserted: boolean | null }>>(LEASE, params);
    if (r && r.leased > 0) return { kind: "leased", claimedBefore: r.inserted !== true };
    const [row] = await sql<RoomDeletion[]>`SELECT ${sql.unsafe(COLUMNS)} FROM "DailyRoomDeletion" WHERE id = ${d.id}`;
    if (row && row.status !== "DELETING") return { kind: "finished", deletion: row };
    if (Date.now() > deadline) throw new TransientError(`room deletion ${d.id} is being carried out by another attempt; retried later`);
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 200));
  }
}

/** Gives up this attempt's lease of a deletion still DELETING (its attempt failed): the retry need not wait for it to lapse. */
export async function releaseLease(sql: Sql, id: string): Promise<void> {
  await sql`UPDATE "DailyRoomDeletion" SET "leaseUntil" = NULL, "leasedBy" = NULL WHERE id = ${id} AND status = 'DELETING'`;
}

/**
 * Runs `fn` in a short transaction holding the deletion's row lock (no provider call inside): a
 * copy finishing the same deletion waits, then finds it finished.
 */
export async function withLockedDeletion<T>(sql: Sql, id: string, fn: (tx: Tx, d: RoomDeletion) => Promise<T>): Promise<T> {
  const result = await sql.begin(async (tx) => {
    const [row] = await tx<RoomDeletion[]>`SELECT ${tx.unsafe(COLUMNS)} FROM "DailyRoomDeletion" WHERE id = ${id} FOR UPDATE`;
    if (!row) throw new Error(`DailyRoomDeletion ${id} vanished after it was claimed`);
    return [await fn(tx, row)];
  });
  return result[0] as T;
}

/** Finishes a DELETING deletion with its DAILY_ROOM_DELETED row, clearing the booking's room if it still is this one. */
export async function finishDeletion(tx: Tx, d: RoomDeletion, status: "DELETED" | "ALREADY_DELETED", auditRow: StoredRow): Promise<void> {
  await tx`
    UPDATE "Booking" SET "dailyRoomName" = NULL, "dailyRoomUrl" = NULL, "updatedAt" = CURRENT_TIMESTAMP
    WHERE id = ${d.bookingId} AND "dailyRoomName" = ${d.roomName}`;
  await tx`
    UPDATE "DailyRoomDeletion" SET status = ${status}, "finishedAt" = CURRENT_TIMESTAMP, "leaseUntil" = NULL, "leasedBy" = NULL, "updatedAt" = CURRENT_TIMESTAMP
    WHERE id = ${d.id} AND status = 'DELETING'`;
  await insertAuditRowOnce(tx, auditRow);
}

/**
 * Marks a deletion REFUSED (creating it, or finishing a DELETING one) with its final DAILY_ROOM_ERROR
 * row. The booking keeps its room fields on purpose: the room may still exist on Daily under a name
 * we cannot address, and an operator fixing the name must see it; the REFUSED row keeps sweeps away.
 */
export async function refuseDeletion(sql: Sql, d: Omit<RoomDeletion, "status" | "failureReason">, reason: string, auditRow: StoredRow): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`
      INSERT INTO "DailyRoomDeletion" (id, "bookingId", "roomName", status, "deletedBy", "failureReason", "requestedAt", "finishedAt")
      VALUES (${d.id}, ${d.bookingId}, ${d.roomName}, 'REFUSED', ${d.deletedBy}, ${reason}, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)
      ON CONFLICT (id) DO UPDATE SET status = 'REFUSED', "failureReason" = EXCLUDED."failureReason",
        "finishedAt" = EXCLUDED."finishedAt", "leaseUntil" = NULL, "leasedBy" = NULL, "updatedAt" = CURRENT_TIMESTAMP
      WHERE "DailyRoomDeletion".status = 'DELETING'`;
    // Refused now or by an earlier attempt (whose row this writes if it is missing); never over a finished deletion.
    const [row] = await tx<Array<{ status: RoomDeletionStatus }>>`SELECT status FROM "DailyRoomDeletion" WHERE id = ${d.id}`;
    if (row?.status === "REFUSED") await insertAuditRowOnce(tx, auditRow);
  });
}

// The logger's own INSERT (same columns and casts), skipping a row whose deterministic id exists.
const INSERT_ROW_ONCE = `${insertRowsAfter("", () => "TRUE")} ON CONFLICT ("id") DO NOTHING`;

/** Inserts an audit row unless a row with its id exists (a retry, a concurrent copy, the reconciler). */
export async function insertAuditRowOnce(sql: Sql | Tx, row: StoredRow): Promise<void> {
  await sql.unsafe(INSERT_ROW_ONCE, rowParameters([row]) as never, { prepare: true });
}

function withoutCount(row: RoomDeletion & { generations: string }): RoomDeletion {
  const { generations: _ignored, ...deletion } = row;
  return deletion;
}
