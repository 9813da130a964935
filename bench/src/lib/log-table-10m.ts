// A "Log" table of N rows spread over 90 days, kept between runs (generation is the slow part).
// Generation drops the secondary indexes and the stats trigger, bulk-inserts, then rebuilds
// LogHourlyStat and recreates the very same indexes: much faster than maintaining them per row.
import postgres from "postgres";
import { databaseExists, databaseUrl, freshDatabase } from "./bench-database";

/** One database per row count: a quick run (BENCH_LOG_ROWS=10000) never destroys the 10M table. */
const bigDbName = (rows: number) => `callastar_bench_log_${rows}`;
const CHUNK = 1_000_000;

/** Returns the URL of a database whose "Log" holds exactly `rows` rows, generating it if needed. */
export async function ensureBigLogTable(adminUrl: string, rows: number, say: (line: string) => void): Promise<string> {
  const name = bigDbName(rows);
  const url = databaseUrl(adminUrl, name);
  if (await databaseExists(adminUrl, name)) {
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      const [r] = await sql`SELECT count(*)::bigint AS n FROM "Log"`.catch(() => [{ n: "-1" }]);
      if (Number(r!.n) === rows) {
        say(`reusing ${name}: "Log" has ${rows.toLocaleString("en")} rows`);
        return url;
      }
      say(`${name} has ${Number(r!.n).toLocaleString("en")} rows, want ${rows.toLocaleString("en")}: regenerating`);
    } finally {
      await sql.end();
    }
  }
  await freshDatabase(adminUrl, name);
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const t0 = performance.now();
  try {
    await sql`SET maintenance_work_mem = '1GB'`;
    const indexes = await sql<{ indexname: string; indexdef: string }[]>`
      SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'Log' AND indexname <> 'Log_pkey'`;
    for (const i of indexes) await sql.unsafe(`DROP INDEX "${i.indexname}"`);
    await sql`ALTER TABLE "Log" DISABLE TRIGGER "Log_hourly_stat_insert"`;
    const now = new Date().toISOString();
    for (let from = 1; from <= rows; from += CHUNK) {
      const to = Math.min(rows, from + CHUNK - 1);
      // ~5% errors; the type always agrees with the status, as the logger writes them.
      await sql`
        INSERT INTO "Log" (id, type, status, message, context, error, "createdAt")
        SELECT 'g' || lpad(s.g::text, 9, '0'),
               (CASE WHEN s.err
                 THEN (ARRAY['EMAIL_ERROR','CRON_ERROR','DAILY_ROOM_ERROR','BOOKING_ERROR','PAYMENT_ERROR','PAYOUT_ERROR','STRIPE_WEBHOOK_ERROR','NOTIFICATION_ERROR','SYSTEM_ERROR','API_ERROR'])[1 + (s.g % 10)]
                 ELSE (ARRAY['EMAIL_SENT','CRON_RUN','DAILY_ROOM_DELETED','DAILY_ROOM_CREATED','BOOKING_CREATED','PAYMENT_SUCCESS','PAYMENT_REFUND','PAYOUT_SUCCESS','STRIPE_WEBHOOK','NOTIFICATION_SENT'])[1 + (s.g % 10)]
               END)::"LogType",
               (CASE WHEN s.err THEN 'ERROR' ELSE 'SUCCESS' END)::"LogStatus",
               'generated row ' || s.g,
               jsonb_build_object('bookingId', 'bk' || (s.g % 200000), 'userId', 'u' || (s.g % 50000)),
               CASE WHEN s.err THEN 'Error: generated failure' END,
               ${now}::timestamp(3) - s.age * interval '90 days'
        FROM (SELECT g, random() < 0.05 AS err, random() AS age FROM generate_series(${from}::int, ${to}::int) g) s`;
      say(`  generated ${to.toLocaleString("en")} rows (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    }
    await sql`TRUNCATE "LogHourlyStat"`;
    await sql`INSERT INTO "LogHourlyStat" (hour, type, status, count)
      SELECT date_trunc('hour', "createdAt"), type, status, count(*) FROM "Log" GROUP BY 1, 2, 3`;
    await sql`ALTER TABLE "Log" ENABLE TRIGGER "Log_hourly_stat_insert"`;
    for (const i of indexes) await sql.unsafe(i.indexdef);
    await sql`VACUUM ANALYZE "Log"`;
    await sql`VACUUM ANALYZE "LogHourlyStat"`;
    say(`generated ${rows.toLocaleString("en")} rows in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  } finally {
    await sql.end();
  }
  return url;
}
