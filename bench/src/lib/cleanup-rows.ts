// Rows for the cleanup benchmark, generated in SQL (generate_series, in chunks) through the normal
// indexes and the LogHourlyStat insert trigger. Rows are laid down in createdAt order, as the
// logger appends them in production, with realistic message/context/error sizes and ~5% errors.
import type { Sql } from "@callastar/db";

const CHUNK = 250_000;
const DAY_MS = 86_400_000;

/**
 * Inserts `rows` rows with ids `${prefix}${n}` and createdAt spread evenly (oldest first) from
 * `fromDaysAgo` to `toDaysAgo` days before `now`.
 */
export async function generateLogRows(
  sql: Sql,
  prefix: string,
  rows: number,
  now: Date,
  fromDaysAgo: number,
  toDaysAgo: number,
): Promise<void> {
  const start = new Date(now.getTime() - fromDaysAgo * DAY_MS).toISOString();
  const spanMs = (fromDaysAgo - toDaysAgo) * DAY_MS;
  for (let from = 1; from <= rows; from += CHUNK) {
    const to = Math.min(rows, from + CHUNK - 1);
    await sql`
      INSERT INTO "Log" (id, type, status, message, context, error, "createdAt")
      SELECT ${prefix}::text || s.g,
             (CASE WHEN s.err
               THEN (ARRAY['EMAIL_ERROR','CRON_ERROR','DAILY_ROOM_ERROR','BOOKING_ERROR','PAYMENT_ERROR','PAYOUT_ERROR','STRIPE_WEBHOOK_ERROR','NOTIFICATION_ERROR','SYSTEM_ERROR','API_ERROR'])[1 + s.k]
               ELSE (ARRAY['EMAIL_SENT','EMAIL_SENT','EMAIL_SENT','CRON_RUN','CRON_RUN','BOOKING_CREATED','PAYMENT_SUCCESS','DAILY_ROOM_CREATED','DAILY_ROOM_DELETED','NOTIFICATION_SENT'])[1 + s.k]
             END)::"LogType",
             (CASE WHEN s.err THEN 'ERROR' ELSE 'SUCCESS' END)::"LogStatus",
             CASE
               WHEN s.err THEN 'Failed to process booking bk' || s.b || ' for user u' || s.u || ': upstream request failed'
               WHEN s.k < 3 THEN 'Email booking_confirmation sent for booking bk' || s.b || ' to user u' || s.u
               WHEN s.k < 5 THEN 'Cron send-reminders completed: ' || (s.g % 97) || ' items processed in ' || (s.g % 4000) || ' ms'
               ELSE 'Booking bk' || s.b || ' processed for user u' || s.u || ' (call offer co' || (s.g % 30000) || ')'
             END,
             CASE WHEN s.k BETWEEN 3 AND 4 AND NOT s.err
               THEN jsonb_build_object('cronType', 'send-reminders', 'itemsProcessed', s.g % 97, 'duration', s.g % 4000,
                      'durationSeconds', (s.g % 4000) / 1000.0, 'startTime', ${start}::text, 'endTime', ${start}::text)
               ELSE jsonb_build_object('bookingId', 'bk' || s.b, 'userId', 'u' || s.u, 'emailType', 'booking_confirmation',
                      'creatorId', 'cr' || (s.g % 5000), 'amount', 5000 + s.g % 20000, 'currency', 'eur')
             END,
             CASE WHEN s.err THEN 'Error: request to https://api.example.com/v1/resource failed with status 503 (Service Unavailable)' ||
               repeat(E'\n    at processTicksAndRejections (node:internal/process/task_queues:95:5)', 4) END,
             ${start}::timestamp(3) + ((s.g - 1)::float8 / ${rows}::float8 * ${spanMs}::float8 + random() * 1000) * interval '1 millisecond'
      FROM (SELECT g, random() < 0.05 AS err, g % 10 AS k, g % 200000 AS b, g % 50000 AS u
            FROM generate_series(${from}::int, ${to}::int) g) s`;
  }
}
