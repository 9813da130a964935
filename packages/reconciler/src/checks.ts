// Each check pairs a fact table (rows in the window by the fact's own timestamp) with the audit row
// convention 2 gives it: a deterministic Log.id, found through the primary key. A legacy row (random
// id, written before that convention) satisfies the fact when it has the check's type and its context
// names the same entity (`legacy.key`), near the window; it counts with the deterministic row, so a
// legacy row next to a deterministic one is a duplicate.
import { auditRows, LogType, type StoredRow } from "@callastar/audit-log";
import type { AuditCheck } from "./report";

/** One fact as the check query returns it: its id and its table row (to_jsonb, camelCase columns). */
export interface Fact {
  entity: string;
  data: Record<string, unknown>;
}

/** A legacy (random-id) row of `type` satisfies a fact when `key` over its context equals the fact's key. */
interface LegacyMatch {
  type: LogType;
  /** SQL over `l.context` giving the entity key (text). */
  key: string;
  /** Extra SQL condition on `l` (e.g. only final error rows). */
  where?: string;
}

export interface CheckDefinition {
  name: AuditCheck;
  /** Deterministic id = prefix + entity id. */
  idPrefix: string;
  /** FROM clause and condition over `t`, without the window. */
  from: string;
  /** The fact's own timestamp column (window and the recovered row's time). */
  at: string;
  /** The fact's id over `t`. */
  entity: string;
  /** The fact's matching key over `t`, compared to `legacy.key`. */
  key: string;
  legacy?: LegacyMatch;
  /** Success facts: more than one row for the entity is reported as duplicated. */
  reportDuplicates: boolean;
  /** The missing row, built as the spec's function would (the caller overrides id, createdAt, recovery marks). */
  build(fact: Fact): StoredRow;
}

const str = (v: unknown): string | null => (typeof v === "string" ? v : v === null || v === undefined ? null : String(v));
const num = (v: unknown): number => (typeof v === "number" ? v : Number(v ?? 0) || 0);
/** to_jsonb renders `timestamp(3)` (UTC by the schema's convention) without a zone. */
export const utcIso = (v: unknown): string | null => (v === null || v === undefined ? null : new Date(`${String(v)}Z`).toISOString());

/** Why a recovered error row has no stack: the reconciler only knows the fact's recorded reason. */
class RecoveredFailure extends Error {
  override name = "RecoveredFailure";
}
const recoveredError = (reason: unknown) => new RecoveredFailure(str(reason) ?? "failure recorded on the fact without its audit row");

// Error rows of attempts that will be retried say so (`final: false`, or the older `willRetry: true`);
// any other error row naming the entity is a final one.
const FINAL = `coalesce(l.context->>'final', 'true') <> 'false' AND coalesce(l.context->>'willRetry', 'false') <> 'true'`;
// The cron run a row belongs to: its own id once the runtime writes it, else the fanned-out run's
// job id (summary rows), else the job id runCron records; with the cron type, since BullMQ's
// numeric job ids repeat across queues.
const CRON_KEY = `coalesce(l.context->>'cronRunId', l.context->>'runJobId', l.context->>'jobId') || ' ' || (l.context->>'cronType')`;

/**
 * The automatic payout's creation row type. The payouts helper picks it (it must not be
 * PAYOUT_SUCCESS, which counts paid payouts); a repaired row uses this one. Matching is by id only.
 */
export const PAYOUT_CREATED_LOG_TYPE = LogType.NOTIFICATION_SENT;

/** The eight checks, in report order. */
export const CHECKS: readonly CheckDefinition[] = [
  {
    name: "email-sent",
    idPrefix: "email-sent:",
    from: `"EmailDelivery" t WHERE true`,
    at: "createdAt",
    entity: `t."idempotencyKey"`,
    key: `t."idempotencyKey"`,
    legacy: { type: LogType.EMAIL_SENT, key: `l.context->>'idempotencyKey'` },
    reportDuplicates: true,
    build: ({ data: d }) =>
      auditRows.logEmailSent(str(d.bookingId), str(d.userId), String(d.emailType), {
        recipientEmail: str(d.recipientEmail),
        idempotencyKey: str(d.idempotencyKey),
        providerMessageId: str(d.providerMessageId),
      }),
  },
  {
    name: "payout-paid",
    idPrefix: "payout-paid:",
    from: `"Payout" t WHERE t."status" = 'PAID'`,
    at: "paidAt",
    entity: `t."id"`,
    key: `t."id"`,
    legacy: { type: LogType.PAYOUT_SUCCESS, key: `l.context->>'payoutId'` },
    reportDuplicates: true,
    build: ({ data: d }) =>
      auditRows.logPayoutSuccess(String(d.id), String(d.creatorId), num(d.amount), String(d.currency), {
        stripeTransferId: str(d.stripeTransferId),
        isAutomatic: d.isAutomatic === true,
      }),
  },
  {
    name: "payout-failed",
    idPrefix: "payout-failed:",
    from: `"Payout" t WHERE t."status" = 'FAILED'`,
    at: "failedAt",
    entity: `t."id"`,
    key: `t."id"`,
    legacy: { type: LogType.PAYOUT_ERROR, key: `l.context->>'payoutId'`, where: FINAL },
    reportDuplicates: false,
    build: ({ data: d }) =>
      auditRows.logPayoutError(String(d.id), String(d.creatorId), recoveredError(d.failureReason), {
        failureReason: str(d.failureReason),
        payoutStatus: "FAILED",
        final: true,
      }),
  },
  {
    name: "payout-created",
    idPrefix: "payout-created:",
    from: `"Payout" t WHERE t."isAutomatic"`,
    at: "createdAt",
    entity: `t."id"`,
    key: `t."id"`,
    reportDuplicates: false,
    build: ({ data: d }) =>
      auditRows.logSuccess(PAYOUT_CREATED_LOG_TYPE, `Automatic payout ${String(d.id)} of ${num(d.amount)} ${String(d.currency)} created for creator ${String(d.creatorId)}`, {
        payoutId: str(d.id),
        creatorId: str(d.creatorId),
        amount: num(d.amount),
        currency: str(d.currency),
        isAutomatic: true,
      }),
  },
  {
    name: "room-deleted",
    idPrefix: "room-deleted:",
    from: `"DailyRoomDeletion" t WHERE t."status" IN ('DELETED', 'ALREADY_DELETED')`,
    at: "finishedAt",
    entity: `t."id"`,
    key: `t."bookingId" || ' ' || t."roomName"`,
    legacy: { type: LogType.DAILY_ROOM_DELETED, key: `(l.context->>'bookingId') || ' ' || (l.context->>'roomId')` },
    reportDuplicates: true,
    build: ({ data: d }) =>
      auditRows.logDailyRoomDeleted(String(d.roomName), String(d.bookingId), {
        deletionId: str(d.id),
        deletedBy: str(d.deletedBy),
        alreadyDeleted: d.status === "ALREADY_DELETED",
      }),
  },
  {
    name: "room-refused",
    idPrefix: "room-refused:",
    from: `"DailyRoomDeletion" t WHERE t."status" = 'REFUSED'`,
    at: "finishedAt",
    entity: `t."id"`,
    key: `t."bookingId" || ' ' || t."roomName"`,
    legacy: { type: LogType.DAILY_ROOM_ERROR, key: `(l.context->>'bookingId') || ' ' || (l.context->>'roomId')`, where: FINAL },
    reportDuplicates: false,
    build: ({ data: d }) =>
      auditRows.logDailyRoomError(String(d.roomName), String(d.bookingId), recoveredError(d.failureReason), {
        operation: "delete",
        deletionId: str(d.id),
        deletedBy: str(d.deletedBy),
        failureReason: str(d.failureReason),
        final: true,
      }),
  },
  {
    name: "cron-run",
    idPrefix: "cron-run:",
    from: `"CronRun" t WHERE t."status" = 'SUCCEEDED'`,
    at: "finishedAt",
    entity: `t."id"`,
    key: `t."id" || ' ' || t."cronType"`,
    legacy: { type: LogType.CRON_RUN, key: CRON_KEY },
    reportDuplicates: true,
    build: ({ data: d }) => {
      const startTime = utcIso(d.startedAt);
      const endTime = utcIso(d.finishedAt);
      const duration = startTime && endTime ? Date.parse(endTime) - Date.parse(startTime) : 0;
      return auditRows.logCronRun(String(d.cronType), num(d.itemsProcessed), duration, {
        startTime,
        endTime,
        trigger: str(d.trigger),
        cronRunId: str(d.id),
        jobId: str(d.id),
      });
    },
  },
  {
    name: "cron-error",
    idPrefix: "cron-error:",
    from: `"CronRun" t WHERE t."status" = 'FAILED'`,
    at: "finishedAt",
    entity: `t."id"`,
    key: `t."id" || ' ' || t."cronType"`,
    legacy: { type: LogType.CRON_ERROR, key: CRON_KEY, where: FINAL },
    reportDuplicates: false,
    build: ({ data: d }) =>
      auditRows.logCronError(String(d.cronType), recoveredError(null), {
        startTime: utcIso(d.startedAt),
        endTime: utcIso(d.finishedAt),
        trigger: str(d.trigger),
        cronRunId: str(d.id),
        jobId: str(d.id),
        final: true,
      }),
  },
];
