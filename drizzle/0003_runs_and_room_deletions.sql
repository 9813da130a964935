DO $$ BEGIN CREATE TYPE "public"."CronRunStatus" AS ENUM('RUNNING', 'SUCCEEDED', 'FAILED'); EXCEPTION WHEN duplicate_object THEN null; END $$;
--> statement-breakpoint
DO $$ BEGIN CREATE TYPE "public"."DailyRoomDeletionStatus" AS ENUM('DELETING', 'DELETED', 'ALREADY_DELETED', 'REFUSED'); EXCEPTION WHEN duplicate_object THEN null; END $$;
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "CronRun" (
	"id" text PRIMARY KEY NOT NULL,
	"cronType" text NOT NULL,
	"trigger" text NOT NULL,
	"status" "CronRunStatus" DEFAULT 'RUNNING' NOT NULL,
	"itemsProcessed" integer,
	"startedAt" timestamp (3) NOT NULL,
	"finishedAt" timestamp (3),
	"createdAt" timestamp (3) DEFAULT CURRENT_TIMESTAMP NOT NULL,
	"updatedAt" timestamp (3) DEFAULT CURRENT_TIMESTAMP NOT NULL
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "DailyRoomDeletion" (
	"id" text PRIMARY KEY NOT NULL,
	"bookingId" text NOT NULL,
	"roomName" text NOT NULL,
	"status" "DailyRoomDeletionStatus" DEFAULT 'DELETING' NOT NULL,
	"deletedBy" text NOT NULL,
	"failureReason" text,
	"requestedAt" timestamp (3) NOT NULL,
	"finishedAt" timestamp (3),
	"createdAt" timestamp (3) DEFAULT CURRENT_TIMESTAMP NOT NULL,
	"updatedAt" timestamp (3) DEFAULT CURRENT_TIMESTAMP NOT NULL
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "CronRun_cronType_startedAt_idx" ON "CronRun" USING btree ("cronType","startedAt");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "CronRun_status_idx" ON "CronRun" USING btree ("status");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "DailyRoomDeletion_bookingId_idx" ON "DailyRoomDeletion" USING btree ("bookingId");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "DailyRoomDeletion_status_idx" ON "DailyRoomDeletion" USING btree ("status");