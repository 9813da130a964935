CREATE TABLE IF NOT EXISTS "JobOutbox" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"input" jsonb NOT NULL,
	"jobId" text NOT NULL,
	"idempotencyKey" text,
	"createdAt" timestamp (3) DEFAULT CURRENT_TIMESTAMP NOT NULL,
	"relayedAt" timestamp (3),
	"relayCount" integer DEFAULT 0 NOT NULL,
	"checkedAt" timestamp (3),
	"completedAt" timestamp (3),
	"outcome" text,
	"lastError" text
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "JobOutbox_unrelayed_idx" ON "JobOutbox" USING btree ("createdAt") WHERE "relayedAt" IS NULL;--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "JobOutbox_open_idx" ON "JobOutbox" USING btree ("relayedAt") WHERE "relayedAt" IS NOT NULL AND "completedAt" IS NULL;--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "JobOutbox_completedAt_idx" ON "JobOutbox" USING btree ("completedAt");