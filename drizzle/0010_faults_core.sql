ALTER TABLE "Payout" ADD COLUMN IF NOT EXISTS "unpayableReason" text;--> statement-breakpoint
ALTER TABLE "CronRun" ADD COLUMN IF NOT EXISTS "queue" text;--> statement-breakpoint
ALTER TABLE "CronRun" ADD COLUMN IF NOT EXISTS "jobId" text;--> statement-breakpoint
ALTER TABLE "DailyRoomDeletion" ADD COLUMN IF NOT EXISTS "leaseUntil" timestamp (3);--> statement-breakpoint
ALTER TABLE "DailyRoomDeletion" ADD COLUMN IF NOT EXISTS "leasedBy" text;--> statement-breakpoint
-- Runs recorded before the key named the queue keep their id (the bare job id); their queue follows from the cron.
UPDATE "CronRun" SET "jobId" = "id", "queue" = CASE "cronType" WHEN 'send-booking-reminders' THEN 'reminders' WHEN 'cleanup-daily-rooms' THEN 'rooms' WHEN 'process-payouts' THEN 'payouts' WHEN 'process-automatic-payouts' THEN 'payouts' WHEN 'cleanup-logs' THEN 'maintenance' WHEN 'verify-audit' THEN 'maintenance' WHEN 'prune-job-outbox' THEN 'maintenance' END WHERE "jobId" IS NULL;--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "CronRun_queue_jobId_key" ON "CronRun" USING btree ("queue","jobId");