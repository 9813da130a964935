CREATE INDEX IF NOT EXISTS "EmailDelivery_createdAt_idx" ON "EmailDelivery" USING btree ("createdAt");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "Payout_paidAt_idx" ON "Payout" USING btree ("paidAt");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "CronRun_finishedAt_idx" ON "CronRun" USING btree ("finishedAt");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "DailyRoomDeletion_finishedAt_idx" ON "DailyRoomDeletion" USING btree ("finishedAt");