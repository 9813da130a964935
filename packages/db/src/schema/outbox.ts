import { sql } from "drizzle-orm";
import { index, integer, jsonb, pgTable, text } from "drizzle-orm/pg-core";
import { createdAt, id, ts } from "./columns";

/**
 * The transactional outbox: the main app inserts one row per producer call in its own transaction
 * (helpers in @callastar/producer); the outbox relay turns committed rows into BullMQ jobs
 * with the producer's deterministic ids. An email's row stays open (`completedAt` null) until its
 * EmailDelivery exists, so a Redis that lost the job gets it again from here.
 */
export const jobOutbox = pgTable(
  "JobOutbox",
  {
    id: id(),
    /** The producer call: scheduleBookingReminder | enqueueEmail | enqueueRoomDeletion | enqueuePayout. */
    kind: text("kind").notNull(),
    /** The call's input as the producer validated it (email: with its idempotency key filled in). */
    input: jsonb("input").$type<Record<string, unknown>>().notNull(),
    /** The producer's deterministic BullMQ job id: re-adding it after a crash is a no-op. */
    jobId: text("jobId").notNull(),
    /** Emails only: the Resend idempotency key, joined to "EmailDelivery" to see it delivered. */
    idempotencyKey: text("idempotencyKey"),
    createdAt: createdAt(),
    /** First time the job was added to Redis. */
    relayedAt: ts("relayedAt"),
    /** How many times the job was added (more than 1 after a crash before marking or a Redis loss). */
    relayCount: integer("relayCount").notNull().default(0),
    /** Last re-check of an undelivered email against Redis. */
    checkedAt: ts("checkedAt"),
    /** Nothing more to do: relayed (reminders, rooms, payouts), delivered or failed for good (emails). */
    completedAt: ts("completedAt"),
    /** relayed | delivered | failed | invalid. */
    outcome: text("outcome"),
    lastError: text("lastError"),
  },
  (t) => [
    // The relay's scan: the oldest committed rows not yet in Redis.
    index("JobOutbox_unrelayed_idx").on(t.createdAt).where(sql`"relayedAt" IS NULL`),
    // The email re-check's scan: relayed, not yet delivered.
    index("JobOutbox_open_idx").on(t.relayedAt).where(sql`"relayedAt" IS NOT NULL AND "completedAt" IS NULL`),
    // Pruning of finished rows past the retention.
    index("JobOutbox_completedAt_idx").on(t.completedAt),
  ],
);

export type JobOutboxRow = typeof jobOutbox.$inferSelect;
