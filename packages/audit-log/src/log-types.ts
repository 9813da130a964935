import { LOG_STATUSES, LOG_TYPES, type LogStatusValue, type LogTypeValue } from "@callastar/db";

/** The 20 audit log types, as a value object like Prisma's enum: `LogType.EMAIL_SENT === "EMAIL_SENT"`. */
export const LogType = Object.freeze(Object.fromEntries(LOG_TYPES.map((t) => [t, t]))) as {
  readonly [K in LogTypeValue]: K;
};
/** One of the 20 audit log types. */
export type LogType = LogTypeValue;

/** SUCCESS or ERROR, as a value object like Prisma's enum. */
export const LogStatus = Object.freeze(Object.fromEntries(LOG_STATUSES.map((s) => [s, s]))) as {
  readonly [K in LogStatusValue]: K;
};
/** SUCCESS or ERROR. */
export type LogStatus = LogStatusValue;

/** Free-form context stored in the `context` jsonb column; made JSON-safe and redacted before writing. */
export type LogContext = Record<string, unknown>;
