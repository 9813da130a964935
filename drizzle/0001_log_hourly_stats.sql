-- Attach to an existing Call a Star database whose "Booking" predates these columns.
ALTER TABLE "Booking" ADD COLUMN IF NOT EXISTS "reminderSent" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "Booking" ADD COLUMN IF NOT EXISTS "dailyRoomName" text;--> statement-breakpoint
ALTER TABLE "Booking" ADD COLUMN IF NOT EXISTS "dailyRoomUrl" text;--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "Booking_reminderSent_idx" ON "Booking" USING btree ("reminderSent");--> statement-breakpoint

-- Exact hourly counts of "Log" by (type, status), maintained by statement-level triggers so that a
-- multi-row insert costs one aggregate upsert, not one per row. getLogStats sums these buckets and
-- counts only the partial hours at the edges of its range from "Log" itself.
LOCK TABLE "Log" IN SHARE ROW EXCLUSIVE MODE;--> statement-breakpoint
INSERT INTO "LogHourlyStat" ("hour", "type", "status", "count")
SELECT date_trunc('hour', "createdAt"), "type", "status", count(*) FROM "Log" GROUP BY 1, 2, 3
ON CONFLICT ("hour", "type", "status") DO NOTHING;--> statement-breakpoint

CREATE OR REPLACE FUNCTION "Log_hourly_stat_add"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "LogHourlyStat" ("hour", "type", "status", "count")
  SELECT date_trunc('hour', "createdAt"), "type", "status", count(*) FROM new_rows GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT ("hour", "type", "status") DO UPDATE SET "count" = "LogHourlyStat"."count" + EXCLUDED."count";
  RETURN NULL;
END $$;--> statement-breakpoint

CREATE OR REPLACE FUNCTION "Log_hourly_stat_remove"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  WITH gone AS (
    SELECT date_trunc('hour', "createdAt") AS "hour", "type", "status", count(*) AS n
    FROM old_rows GROUP BY 1, 2, 3
  )
  UPDATE "LogHourlyStat" s SET "count" = s."count" - gone.n
  FROM gone WHERE s."hour" = gone."hour" AND s."type" = gone."type" AND s."status" = gone."status";
  RETURN NULL;
END $$;--> statement-breakpoint

CREATE OR REPLACE FUNCTION "Log_hourly_stat_move"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  WITH delta AS (
    SELECT date_trunc('hour', "createdAt") AS "hour", "type", "status", -count(*) AS n FROM old_rows GROUP BY 1, 2, 3
    UNION ALL
    SELECT date_trunc('hour', "createdAt"), "type", "status", count(*) FROM new_rows GROUP BY 1, 2, 3
  ), net AS (
    SELECT "hour", "type", "status", sum(n)::bigint AS n FROM delta GROUP BY 1, 2, 3 HAVING sum(n) <> 0
  )
  INSERT INTO "LogHourlyStat" ("hour", "type", "status", "count")
  SELECT "hour", "type", "status", n FROM net ORDER BY 1, 2, 3
  ON CONFLICT ("hour", "type", "status") DO UPDATE SET "count" = "LogHourlyStat"."count" + EXCLUDED."count";
  RETURN NULL;
END $$;--> statement-breakpoint

CREATE OR REPLACE FUNCTION "Log_hourly_stat_truncate"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE "LogHourlyStat";
  RETURN NULL;
END $$;--> statement-breakpoint

DROP TRIGGER IF EXISTS "Log_hourly_stat_insert" ON "Log";--> statement-breakpoint
CREATE TRIGGER "Log_hourly_stat_insert" AFTER INSERT ON "Log"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "Log_hourly_stat_add"();--> statement-breakpoint
DROP TRIGGER IF EXISTS "Log_hourly_stat_delete" ON "Log";--> statement-breakpoint
CREATE TRIGGER "Log_hourly_stat_delete" AFTER DELETE ON "Log"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "Log_hourly_stat_remove"();--> statement-breakpoint
DROP TRIGGER IF EXISTS "Log_hourly_stat_update" ON "Log";--> statement-breakpoint
CREATE TRIGGER "Log_hourly_stat_update" AFTER UPDATE ON "Log"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "Log_hourly_stat_move"();--> statement-breakpoint
DROP TRIGGER IF EXISTS "Log_hourly_stat_truncate" ON "Log";--> statement-breakpoint
CREATE TRIGGER "Log_hourly_stat_truncate" AFTER TRUNCATE ON "Log"
  FOR EACH STATEMENT EXECUTE FUNCTION "Log_hourly_stat_truncate"();
