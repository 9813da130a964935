CREATE TABLE IF NOT EXISTS "EmailBatch" (
	"id" text PRIMARY KEY NOT NULL,
	"createdAt" timestamp (3) DEFAULT CURRENT_TIMESTAMP NOT NULL,
	"attemptedAt" timestamp (3),
	"attempts" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "PendingEmail" (
	"idempotencyKey" text PRIMARY KEY NOT NULL,
	"priority" smallint NOT NULL,
	"emailType" text NOT NULL,
	"bookingId" text,
	"userId" text,
	"recipientEmail" text NOT NULL,
	"callDateTime" timestamp (3),
	"message" text NOT NULL,
	"auditContext" jsonb NOT NULL,
	"batchId" text,
	"position" integer,
	"createdAt" timestamp (3) DEFAULT CURRENT_TIMESTAMP NOT NULL
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "PendingEmail_unbatched_idx" ON "PendingEmail" USING btree ("priority","createdAt") WHERE "batchId" IS NULL;--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "PendingEmail_batchId_idx" ON "PendingEmail" USING btree ("batchId");