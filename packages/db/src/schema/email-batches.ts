import { sql } from "drizzle-orm";
import { index, integer, jsonb, pgTable, smallint, text } from "drizzle-orm/pg-core";
import { createdAt, ts } from "./columns";

/**
 * One `POST /emails/batch` request: its id is the request's Idempotency-Key, its members are the
 * "PendingEmail" rows pointing at it (in `position` order). Membership commits before the request;
 * `attemptedAt` freezes it together with the request body, so every retry, by any copy, sends the
 * same bytes under the same key. A copy works on a batch while it holds its lease; a lapsed lease
 * lets any copy take the batch over. Deleted, with its members, when the outcome is recorded.
 */
export const emailBatch = pgTable("EmailBatch", {
  id: text("id").primaryKey(),
  createdAt: createdAt(),
  /** Set (committed) just before the first request: membership can no longer change. */
  attemptedAt: ts("attemptedAt"),
  /** Failed attempts (each with its EMAIL_ERROR row); a 429 is not one. */
  attempts: integer("attempts").notNull().default(0),
  /** The request body, stored when membership is frozen: exactly the bytes every attempt sends. */
  requestBody: text("requestBody"),
  /** Who works on the batch (one claim of one sender loop), until `leaseExpiresAt`. */
  leaseOwner: text("leaseOwner"),
  leaseExpiresAt: ts("leaseExpiresAt"),
  /**
   * Set when retrying can no longer tell whether the emails were delivered (a conflicting answer,
   * or Resend's replay window passed): its emails are in the "unknown" state, left for an operator.
   */
  unknownAt: ts("unknownAt"),
  unknownReason: text("unknownReason"),
});

/**
 * An email rendered and waiting for a batch. Reminders (priority 0) are taken before ad-hoc emails;
 * the row is deleted when its delivery (or its failure) is recorded.
 */
export const pendingEmail = pgTable(
  "PendingEmail",
  {
    idempotencyKey: text("idempotencyKey").primaryKey(),
    /** 0 = booking reminder, 1 = other emails. */
    priority: smallint("priority").notNull(),
    emailType: text("emailType").notNull(),
    bookingId: text("bookingId"),
    userId: text("userId"),
    recipientEmail: text("recipientEmail").notNull(),
    /** Reminders: the call time the email announces; a booking moved or cancelled since is not sent. */
    callDateTime: ts("callDateTime"),
    /** The message exactly as sent (JSON text, not jsonb: a retry must send the same bytes). */
    message: text("message").notNull(),
    /** Extra context of the email's EMAIL_SENT row. */
    auditContext: jsonb("auditContext").$type<Record<string, unknown>>().notNull(),
    batchId: text("batchId"),
    position: integer("position"),
    createdAt: createdAt(),
  },
  (t) => [
    index("PendingEmail_unbatched_idx").on(t.priority, t.createdAt).where(sql`"batchId" IS NULL`),
    index("PendingEmail_batchId_idx").on(t.batchId),
  ],
);
