ALTER TABLE "EmailBatch" ADD COLUMN IF NOT EXISTS "requestBody" text;--> statement-breakpoint
ALTER TABLE "EmailBatch" ADD COLUMN IF NOT EXISTS "leaseOwner" text;--> statement-breakpoint
ALTER TABLE "EmailBatch" ADD COLUMN IF NOT EXISTS "leaseExpiresAt" timestamp (3);--> statement-breakpoint
ALTER TABLE "EmailBatch" ADD COLUMN IF NOT EXISTS "unknownAt" timestamp (3);--> statement-breakpoint
ALTER TABLE "EmailBatch" ADD COLUMN IF NOT EXISTS "unknownReason" text;