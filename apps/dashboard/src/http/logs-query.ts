import { z } from "zod";
import { LOG_STATUSES, LOG_TYPES } from "@callastar/db";
import type { RecentLogsFilter } from "../deps";

/** One rejected query parameter, named as the client spelled it. */
export interface ParamIssue {
  param: string;
  message: string;
}

/** A parsed query, or the list of what is wrong with it. */
export type QueryResult<T> = { ok: true; value: T } | { ok: false; issues: ParamIssue[] };

// PostgreSQL's timestamp(3) holds years 4713 BC..294276 AD, but the stats round a range out to whole
// hours and postgres.js sends dates as ISO text, which has no year 0000 or 10000: keep 0001..9998.
const MIN_DATE_MS = new Date(0).setUTCFullYear(1, 0, 1); // Date.UTC maps years 0..99 to 1900..1999
const MAX_DATE_MS = Date.UTC(9999, 0, 1) - 1;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** True when the written calendar fields exist (no 30 February, no hour 24), whatever the offset. */
function isRealCalendarDate(text: string): boolean {
  const m = ISO_DATE.exec(text);
  if (!m) return false;
  const [year, month, day, hour = 0, minute = 0, second = 0] = m.slice(1, 7).map((v) => (v === undefined ? undefined : Number(v)));
  const d = new Date(Date.UTC(2000, month! - 1, day, hour, minute, second));
  d.setUTCFullYear(year!);
  return d.getUTCMonth() === month! - 1 && d.getUTCDate() === day && d.getUTCHours() === hour && d.getUTCMinutes() === minute && d.getUTCSeconds() === second;
}

const isoDate = z
  .string({ error: "must be a single ISO 8601 date" })
  .regex(ISO_DATE, "must be an ISO 8601 date such as 2026-01-31 or 2026-01-31T12:00:00Z")
  .refine(isRealCalendarDate, "is not a real calendar date")
  .transform((s) => new Date(s))
  .refine((d) => !Number.isNaN(d.getTime()), "is not a valid date")
  .refine((d) => d.getTime() >= MIN_DATE_MS && d.getTime() <= MAX_DATE_MS, "must be between 0001-01-01 and 9998-12-31");

const bookingId = z.string({ error: "must be a single value" }).regex(/^[A-Za-z0-9_-]{1,191}$/, "must be 1-191 characters of [A-Za-z0-9_-]");

const range = {
  startDate: isoDate.optional(),
  endDate: isoDate.optional(),
};

const logsShape = z
  .object({
    type: z.enum(LOG_TYPES, { error: `must be one of ${LOG_TYPES.join(", ")}` }).optional(),
    status: z.enum(LOG_STATUSES, { error: `must be one of ${LOG_STATUSES.join(", ")}` }).optional(),
    ...range,
    limit: z.coerce.number({ error: "must be an integer" }).int("must be an integer").min(1, "must be between 1 and 1000").max(1000, "must be between 1 and 1000").optional(),
    offset: z.coerce.number({ error: "must be an integer" }).int("must be an integer").min(0, "must be >= 0").optional(),
    bookingId: bookingId.optional(),
  })
  .strict();

const statsShape = z.object(range).strict();

/** Validates the getRecentLogs filters of /api/logs and /logs; empty values count as absent. */
export function parseLogsQuery(query: unknown): QueryResult<RecentLogsFilter> {
  return parse(logsShape, query);
}

/** Validates the startDate/endDate range of /api/logs/stats. */
export function parseStatsQuery(query: unknown): QueryResult<{ startDate?: Date; endDate?: Date }> {
  return parse(statsShape, query);
}

/** Validates a booking id taken from the path or the query. */
export function parseBookingId(value: unknown): QueryResult<string> {
  const result = bookingId.safeParse(value);
  return result.success ? { ok: true, value: result.data } : { ok: false, issues: [{ param: "bookingId", message: result.error.issues[0]?.message ?? "is invalid" }] };
}

function parse<T extends { startDate?: Date; endDate?: Date }>(schema: z.ZodType<T>, query: unknown): QueryResult<T> {
  const cleaned = Object.fromEntries(Object.entries((query ?? {}) as Record<string, unknown>).filter(([, v]) => v !== ""));
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    const issues = result.error.issues.flatMap((issue): ParamIssue[] =>
      issue.code === "unrecognized_keys"
        ? issue.keys.map((key) => ({ param: key, message: "is not a known parameter" }))
        : [{ param: issue.path.map(String).join(".") || "(query)", message: issue.message }],
    );
    return { ok: false, issues };
  }
  const { startDate, endDate } = result.data;
  if (startDate && endDate && startDate.getTime() > endDate.getTime()) {
    return { ok: false, issues: [{ param: "endDate", message: "must not be before startDate" }] };
  }
  return { ok: true, value: result.data };
}

/** The one-line message of a 400, naming every bad parameter. */
export function describeIssues(issues: readonly ParamIssue[]): string {
  return `invalid query: ${issues.map((i) => `${i.param} ${i.message}`).join("; ")}`;
}
