-- Hand-written: wakes the outbox relays. NOTIFY is delivered at commit only (a rolled-back
-- transaction wakes nobody) and identical notifications of one transaction are folded into one,
-- so a statement-level trigger costs one notification per committing transaction, whatever the
-- client (Prisma, drizzle, plain SQL) that inserted the rows.
CREATE OR REPLACE FUNCTION "JobOutbox_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('job_outbox', '');
  RETURN NULL;
END $$;--> statement-breakpoint
DROP TRIGGER IF EXISTS "JobOutbox_notify_insert" ON "JobOutbox";--> statement-breakpoint
CREATE TRIGGER "JobOutbox_notify_insert" AFTER INSERT ON "JobOutbox" FOR EACH STATEMENT EXECUTE FUNCTION "JobOutbox_notify"();
