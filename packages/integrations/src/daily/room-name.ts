import { createHash } from "node:crypto";
import { PermanentError } from "@callastar/errors";

/** Daily's documented rule for room names: ASCII letters, digits, dash and underscore. */
export const DAILY_ROOM_NAME_PATTERN = /^[A-Za-z0-9_-]+$/;

/** Daily documents room names of at most 128 characters. */
export const DAILY_ROOM_NAME_MAX_LENGTH = 128;

/**
 * Budget for names we derive ourselves: domain and name together within 41 characters. Stricter
 * than Daily's documented 128, on purpose: a shorter name fits every limit we have heard of.
 */
export const DERIVED_NAME_BUDGET = 41;

// Below this a derived name could no longer hold "call-", a few id characters and the hash.
const MIN_DERIVED_LENGTH = 20;
const HASH_LENGTH = 8;

/** The PermanentError code of a room name Daily refuses (or would refuse: checked before sending). */
export const INVALID_ROOM_NAME = "invalid_room_name";

/** True when `error` says the room's name itself is refused: retrying that name can never succeed. */
export function isRoomNameRefused(error: unknown): boolean {
  return error instanceof PermanentError && error.code === INVALID_ROOM_NAME;
}

/** Throws a PermanentError unless `name` is a room name Daily would accept. */
export function assertValidRoomName(name: string): void {
  if (typeof name !== "string" || name.length === 0) throw new PermanentError("Daily room name must be a non-empty string", { code: INVALID_ROOM_NAME });
  if (!DAILY_ROOM_NAME_PATTERN.test(name)) {
    throw new PermanentError(`Daily room name '${name}' may only contain A-Z, a-z, 0-9, '-' and '_'`, { code: INVALID_ROOM_NAME });
  }
  if (name.length > DAILY_ROOM_NAME_MAX_LENGTH) {
    throw new PermanentError(`Daily room name '${name}' is longer than ${DAILY_ROOM_NAME_MAX_LENGTH} characters`, { code: INVALID_ROOM_NAME });
  }
}

/**
 * The room name of a booking: `call-<bookingId>` when the id is already a valid, short enough
 * name (cuids are); otherwise `call-<sanitized prefix>-<hash of the full id>`, so that two ids
 * that sanitize or truncate alike (`a.b`, `a_b`) still get distinct, deterministic names.
 */
export function dailyRoomNameForBooking(bookingId: string, domain?: string): string {
  if (typeof bookingId !== "string" || bookingId.trim().length === 0) {
    throw new PermanentError("A booking id is needed to derive a Daily room name", { code: "invalid_booking_id" });
  }
  const maxLength = Math.max(MIN_DERIVED_LENGTH, DERIVED_NAME_BUDGET - (domain?.length ?? 0));
  const plain = `call-${bookingId}`;
  if (DAILY_ROOM_NAME_PATTERN.test(bookingId) && plain.length <= maxLength) return plain;
  const hash = createHash("sha256").update(bookingId).digest("hex").slice(0, HASH_LENGTH);
  const sanitized = bookingId.replace(/[^A-Za-z0-9_-]/g, "_");
  const prefix = sanitized.slice(0, maxLength - "call-".length - 1 - HASH_LENGTH);
  return `call-${prefix}-${hash}`;
}
