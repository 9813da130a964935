import { createHash } from "node:crypto";

// Deterministic job ids: the dedup, the cancel handle and the idempotency key of each entity.
// BullMQ refuses custom ids containing ":" (and integer ids), hence "-".
export const jobIds = {
  reminder: (bookingId: string) => `reminder-${bookingId}`,
  room: (roomName: string) => `room-${roomName}`,
  payout: (payoutId: string) => `payout-${payoutId}`,
  /** Email ids hash the idempotency key, which may hold any character. */
  email: (idempotencyKey: string) => `email-${createHash("sha256").update(idempotencyKey).digest("hex").slice(0, 40)}`,
  manualCron: (schedulerId: string, at = Date.now()) => `manual-${schedulerId}-${at}`,
  summary: (runJobId: string) => `summary-${runJobId.replace(/:/g, "_")}`,
};

/** Idempotency keys sent to providers (Resend `Idempotency-Key`, Stripe `idempotencyKey`). */
export const idempotencyKeys = {
  reminderEmail: (bookingId: string, recipient: "client" | "creator") => `booking_reminder:${bookingId}:${recipient}`,
  /** The request sending both reminder emails at once (each email keeps its own key for its record). */
  reminderBatch: (bookingId: string) => `booking_reminder:${bookingId}`,
};
