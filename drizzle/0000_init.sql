DO $$ BEGIN CREATE TYPE "public"."BookingStatus" AS ENUM('PENDING', 'CONFIRMED', 'COMPLETED', 'CANCELLED'); EXCEPTION WHEN duplicate_object THEN null; END $$;
--> statement-breakpoint
DO $$ BEGIN CREATE TYPE "public"."LogStatus" AS ENUM('SUCCESS', 'ERROR'); EXCEPTION WHEN duplicate_object THEN null; END $$;
--> statement-breakpoint
DO $$ BEGIN CREATE TYPE "public"."LogType" AS ENUM('EMAIL_SENT', 'EMAIL_ERROR', 'CRON_RUN', 'CRON_ERROR', 'DAILY_ROOM_DELETED', 'DAILY_ROOM_ERROR', 'DAILY_ROOM_CREATED', 'BOOKING_CREATED', 'BOOKING_ERROR', 'PAYMENT_SUCCESS', 'PAYMENT_ERROR', 'PAYMENT_REFUND', 'PAYOUT_SUCCESS', 'PAYOUT_ERROR', 'STRIPE_WEBHOOK', 'STRIPE_WEBHOOK_ERROR', 'NOTIFICATION_SENT', 'NOTIFICATION_ERROR', 'SYSTEM_ERROR', 'API_ERROR'); EXCEPTION WHEN duplicate_object THEN null; END $$;
--> statement-breakpoint
DO $$ BEGIN CREATE TYPE "public"."PaymentStatus" AS ENUM('PENDING', 'SUCCEEDED', 'FAILED', 'REFUNDED'); EXCEPTION WHEN duplicate_object THEN null; END $$;
--> statement-breakpoint
DO $$ BEGIN CREATE TYPE "public"."PayoutStatus" AS ENUM('REQUESTED', 'PROCESSING', 'PAID', 'FAILED'); EXCEPTION WHEN duplicate_object THEN null; END $$;
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "Booking" (
	"id" text PRIMARY KEY NOT NULL,
	"userId" text NOT NULL,
	"callOfferId" text NOT NULL,
	"status" "BookingStatus" DEFAULT 'PENDING' NOT NULL,
	"totalPrice" integer NOT NULL,
	"dailyRoomName" text,
	"dailyRoomUrl" text,
	"reminderSent" boolean DEFAULT false NOT NULL,
	"createdAt" timestamp (3) DEFAULT CURRENT_TIMESTAMP NOT NULL,
	"updatedAt" timestamp (3) DEFAULT CURRENT_TIMESTAMP NOT NULL
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "CallOffer" (
	"id" text PRIMARY KEY NOT NULL,
	"creatorId" text NOT NULL,
	"title" text NOT NULL,
	"dateTime" timestamp (3) NOT NULL,
	"duration" integer NOT NULL,
	"price" integer NOT NULL,
	"currency" text DEFAULT 'eur' NOT NULL,
	"createdAt" timestamp (3) DEFAULT CURRENT_TIMESTAMP NOT NULL,
	"updatedAt" timestamp (3) DEFAULT CURRENT_TIMESTAMP NOT NULL
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "Log" (
	"id" text PRIMARY KEY NOT NULL,
	"type" "LogType" NOT NULL,
	"status" "LogStatus" NOT NULL,
	"message" text NOT NULL,
	"context" jsonb,
	"error" text,
	"createdAt" timestamp (3) DEFAULT CURRENT_TIMESTAMP NOT NULL
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "LogHourlyStat" (
	"hour" timestamp (3) NOT NULL,
	"type" "LogType" NOT NULL,
	"status" "LogStatus" NOT NULL,
	"count" bigint NOT NULL,
	CONSTRAINT "LogHourlyStat_pkey" PRIMARY KEY("hour","type","status")
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "Creator" (
	"id" text PRIMARY KEY NOT NULL,
	"userId" text NOT NULL,
	"stripeAccountId" text,
	"isStripeOnboarded" boolean DEFAULT false NOT NULL,
	"automaticPayoutsEnabled" boolean DEFAULT false NOT NULL,
	"automaticPayoutMinimum" integer DEFAULT 5000 NOT NULL,
	"payoutCurrency" text DEFAULT 'eur' NOT NULL,
	"createdAt" timestamp (3) DEFAULT CURRENT_TIMESTAMP NOT NULL,
	"updatedAt" timestamp (3) DEFAULT CURRENT_TIMESTAMP NOT NULL
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "User" (
	"id" text PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"name" text NOT NULL,
	"timezone" text DEFAULT 'UTC' NOT NULL,
	"createdAt" timestamp (3) DEFAULT CURRENT_TIMESTAMP NOT NULL,
	"updatedAt" timestamp (3) DEFAULT CURRENT_TIMESTAMP NOT NULL
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "EmailDelivery" (
	"idempotencyKey" text PRIMARY KEY NOT NULL,
	"emailType" text NOT NULL,
	"bookingId" text,
	"userId" text,
	"recipientEmail" text NOT NULL,
	"providerMessageId" text,
	"createdAt" timestamp (3) DEFAULT CURRENT_TIMESTAMP NOT NULL
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "Payment" (
	"id" text PRIMARY KEY NOT NULL,
	"bookingId" text NOT NULL,
	"amount" integer NOT NULL,
	"currency" text DEFAULT 'eur' NOT NULL,
	"status" "PaymentStatus" DEFAULT 'PENDING' NOT NULL,
	"stripePaymentIntentId" text NOT NULL,
	"platformFee" integer NOT NULL,
	"creatorAmount" integer NOT NULL,
	"createdAt" timestamp (3) DEFAULT CURRENT_TIMESTAMP NOT NULL,
	"updatedAt" timestamp (3) DEFAULT CURRENT_TIMESTAMP NOT NULL
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "Payout" (
	"id" text PRIMARY KEY NOT NULL,
	"creatorId" text NOT NULL,
	"amount" integer NOT NULL,
	"currency" text DEFAULT 'eur' NOT NULL,
	"status" "PayoutStatus" DEFAULT 'REQUESTED' NOT NULL,
	"isAutomatic" boolean DEFAULT false NOT NULL,
	"stripeTransferId" text,
	"failureReason" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"requestedAt" timestamp (3) DEFAULT CURRENT_TIMESTAMP NOT NULL,
	"processingAt" timestamp (3),
	"paidAt" timestamp (3),
	"failedAt" timestamp (3),
	"createdAt" timestamp (3) DEFAULT CURRENT_TIMESTAMP NOT NULL,
	"updatedAt" timestamp (3) DEFAULT CURRENT_TIMESTAMP NOT NULL
);
--> statement-breakpoint
DO $$ BEGIN ALTER TABLE "Booking" ADD CONSTRAINT "Booking_userId_User_id_fk" FOREIGN KEY ("userId") REFERENCES "public"."User"("id") ON DELETE cascade ON UPDATE cascade; EXCEPTION WHEN duplicate_object THEN null; END $$;
--> statement-breakpoint
DO $$ BEGIN ALTER TABLE "Booking" ADD CONSTRAINT "Booking_callOfferId_CallOffer_id_fk" FOREIGN KEY ("callOfferId") REFERENCES "public"."CallOffer"("id") ON DELETE cascade ON UPDATE cascade; EXCEPTION WHEN duplicate_object THEN null; END $$;
--> statement-breakpoint
DO $$ BEGIN ALTER TABLE "CallOffer" ADD CONSTRAINT "CallOffer_creatorId_Creator_id_fk" FOREIGN KEY ("creatorId") REFERENCES "public"."Creator"("id") ON DELETE cascade ON UPDATE cascade; EXCEPTION WHEN duplicate_object THEN null; END $$;
--> statement-breakpoint
DO $$ BEGIN ALTER TABLE "Creator" ADD CONSTRAINT "Creator_userId_User_id_fk" FOREIGN KEY ("userId") REFERENCES "public"."User"("id") ON DELETE cascade ON UPDATE cascade; EXCEPTION WHEN duplicate_object THEN null; END $$;
--> statement-breakpoint
DO $$ BEGIN ALTER TABLE "Payment" ADD CONSTRAINT "Payment_bookingId_Booking_id_fk" FOREIGN KEY ("bookingId") REFERENCES "public"."Booking"("id") ON DELETE cascade ON UPDATE cascade; EXCEPTION WHEN duplicate_object THEN null; END $$;
--> statement-breakpoint
DO $$ BEGIN ALTER TABLE "Payout" ADD CONSTRAINT "Payout_creatorId_Creator_id_fk" FOREIGN KEY ("creatorId") REFERENCES "public"."Creator"("id") ON DELETE cascade ON UPDATE cascade; EXCEPTION WHEN duplicate_object THEN null; END $$;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "Booking_reminderSent_idx" ON "Booking" USING btree ("reminderSent");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "Booking_userId_idx" ON "Booking" USING btree ("userId");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "Booking_callOfferId_idx" ON "Booking" USING btree ("callOfferId");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "Booking_status_idx" ON "Booking" USING btree ("status");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "CallOffer_creatorId_idx" ON "CallOffer" USING btree ("creatorId");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "CallOffer_dateTime_idx" ON "CallOffer" USING btree ("dateTime");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "Log_type_idx" ON "Log" USING btree ("type");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "Log_status_idx" ON "Log" USING btree ("status");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "Log_createdAt_idx" ON "Log" USING btree ("createdAt");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "Log_type_status_idx" ON "Log" USING btree ("type","status");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "Log_type_createdAt_idx" ON "Log" USING btree ("type","createdAt");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "Log_status_createdAt_idx" ON "Log" USING btree ("status","createdAt");--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "Creator_userId_key" ON "Creator" USING btree ("userId");--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "User_email_key" ON "User" USING btree ("email");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "EmailDelivery_bookingId_idx" ON "EmailDelivery" USING btree ("bookingId");--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "Payment_bookingId_key" ON "Payment" USING btree ("bookingId");--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "Payment_stripePaymentIntentId_key" ON "Payment" USING btree ("stripePaymentIntentId");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "Payout_creatorId_idx" ON "Payout" USING btree ("creatorId");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "Payout_status_idx" ON "Payout" USING btree ("status");--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "Payout_stripeTransferId_key" ON "Payout" USING btree ("stripeTransferId");--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "Payout_automatic_in_flight_key" ON "Payout" USING btree ("creatorId") WHERE "isAutomatic" AND "status" IN ('REQUESTED', 'PROCESSING');