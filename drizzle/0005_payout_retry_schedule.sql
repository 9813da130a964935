ALTER TABLE "Payout" ADD COLUMN IF NOT EXISTS "balanceRetries" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "Payout" ADD COLUMN IF NOT EXISTS "nextAttemptAt" timestamp (3);