import { createTestDatabase, type TestDatabase } from "./database";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { LOG_TYPES, migrationsFolder, runMigrations } from "@callastar/db";

// Every SQL query the two specs show, verbatim (the logging spec's "* 10\n0" is a line break in
// "* 100" from its PDF export), must run unchanged against a migrated database.
const SPEC_QUERIES: Record<string, string> = {
  failedEmails24h: `SELECT
  "createdAt",
  "message",
  "context"->>'emailType' as email_type,
  "context"->>'recipientEmail' as recipient,
  "error"
FROM "Log"
WHERE "type" = 'EMAIL_ERROR'
  AND "createdAt" >= NOW() - INTERVAL '24 hours'
ORDER BY "createdAt" DESC;`,
  cronSuccessRate: `SELECT
  "context"->>'cronType' as cron_type,
  COUNT(*) as total,
  COUNT(CASE WHEN "status" = 'SUCCESS' THEN 1 END) as success_count,
  ROUND(
    COUNT(CASE WHEN "status" = 'SUCCESS' THEN 1 END)::numeric / COUNT(*)::numeric * 100,
    2
  ) as success_rate
FROM "Log"
WHERE "type" IN ('CRON_RUN', 'CRON_ERROR')
GROUP BY cron_type;`,
  recentCronRuns: `SELECT * FROM "Log"
WHERE type = 'CRON_RUN'
ORDER BY "createdAt" DESC
LIMIT 20;`,
  recentCronErrors: `SELECT * FROM "Log"
WHERE type = 'CRON_ERROR'
ORDER BY "createdAt" DESC
LIMIT 20;`,
  oneCron: `SELECT * FROM "Log"
WHERE context->>'cronType' = 'cleanup-logs'
ORDER BY "createdAt" DESC
LIMIT 10;`,
  emailLogs: `SELECT * FROM "Log"
WHERE type IN ('EMAIL_SENT', 'EMAIL_ERROR')
ORDER BY "createdAt" DESC
LIMIT 20;`,
  roomLogs: `SELECT * FROM "Log"
WHERE type IN ('DAILY_ROOM_DELETED', 'DAILY_ROOM_ERROR')
ORDER BY "createdAt" DESC
LIMIT 20;`,
};

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
  await t.sql`
    INSERT INTO "Log" (id, type, status, message, context, error) VALUES
      ('l1', 'EMAIL_ERROR', 'ERROR', 'email failed', '{"emailType":"booking_confirmation","recipientEmail":"a@b.c"}', 'boom'),
      ('l2', 'CRON_RUN', 'SUCCESS', 'cron ok', '{"cronType":"cleanup-logs"}', null),
      ('l3', 'CRON_ERROR', 'ERROR', 'cron ko', '{"cronType":"cleanup-logs"}', 'stack'),
      ('l4', 'DAILY_ROOM_DELETED', 'SUCCESS', 'room gone', '{"roomId":"r"}', null)`;
});
afterAll(() => t.drop());

describe("the specs' SQL against the migrated schema", () => {
  it.each(Object.entries(SPEC_QUERIES))("%s runs unchanged", async (_name, query) => {
    await expect(t.sql.unsafe(query)).resolves.toBeDefined();
  });

  it("computes the cron success rate as the spec expects", async () => {
    const [row] = await t.sql.unsafe(SPEC_QUERIES.cronSuccessRate!);
    expect(row).toMatchObject({ cron_type: "cleanup-logs", total: "2", success_count: "1" });
    expect(String(row!.success_rate)).toBe("50.00");
  });

  it("has the spec's reminderSent migration: column, default and index", async () => {
    const [col] = await t.sql`
      SELECT data_type, is_nullable, column_default FROM information_schema.columns
      WHERE table_name = 'Booking' AND column_name = 'reminderSent'`;
    expect(col).toEqual({ data_type: "boolean", is_nullable: "NO", column_default: "false" });
    const [idx] = await t.sql`SELECT indexdef FROM pg_indexes WHERE indexname = 'Booking_reminderSent_idx'`;
    expect(idx?.indexdef).toContain('("reminderSent")');
  });

  it("has the Log model's six indexes and both enums", async () => {
    const rows = await t.sql<{ indexname: string }[]>`SELECT indexname FROM pg_indexes WHERE tablename = 'Log' ORDER BY 1`;
    expect(rows.map((r) => r.indexname)).toEqual([
      "Log_createdAt_idx",
      "Log_pkey",
      "Log_status_createdAt_idx",
      "Log_status_idx",
      "Log_type_createdAt_idx",
      "Log_type_idx",
      "Log_type_status_idx",
    ]);
    const types = await t.sql<{ v: string }[]>`SELECT unnest(enum_range(NULL::"LogType"))::text AS v`;
    expect(types.map((r) => r.v)).toEqual([...LOG_TYPES]);
    const statuses = await t.sql<{ v: string }[]>`SELECT unnest(enum_range(NULL::"LogStatus"))::text AS v`;
    expect(statuses.map((r) => r.v)).toEqual(["SUCCESS", "ERROR"]);
  });

  it("re-running the migrator is a no-op", async () => {
    await expect(runMigrations(t.url)).resolves.toBeUndefined();
  });

  // drizzle's journal skips applied migrations, so the migrator alone proves nothing about the SQL:
  // run every statement of every migration again, directly, against the migrated database.
  it("every migration's SQL is itself safe to apply again, and leaves the schema unchanged", async () => {
    const fingerprint = async () =>
      t.sql`SELECT
        (SELECT json_agg(x ORDER BY x) FROM (SELECT table_name || '.' || column_name || ':' || data_type || ':' || coalesce(column_default, '') AS x FROM information_schema.columns WHERE table_schema = 'public') c) AS columns,
        (SELECT json_agg(indexdef ORDER BY indexdef) FROM pg_indexes WHERE schemaname = 'public') AS indexes,
        (SELECT json_agg(conname ORDER BY conname) FROM pg_constraint WHERE connamespace = 'public'::regnamespace) AS constraints,
        (SELECT json_agg(tgname ORDER BY tgname) FROM pg_trigger WHERE NOT tgisinternal) AS triggers`;
    const before = await fingerprint();
    const dir = migrationsFolder();
    const files = readdirSync(dir).filter((f) => f.endsWith(".sql")).sort();
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const file of files) {
      const statements = readFileSync(join(dir, file), "utf8").split("--> statement-breakpoint").map((s) => s.trim()).filter(Boolean);
      // One transaction per file, as drizzle's migrator applies them.
      await t.sql
        .begin(async (tx) => {
          for (const statement of statements) await tx.unsafe(statement);
        })
        .catch((error: unknown) => {
          throw new Error(`${file} is not safe to re-apply: ${error instanceof Error ? error.message : String(error)}`);
        });
    }
    expect(await fingerprint()).toEqual(before);
  });
});
