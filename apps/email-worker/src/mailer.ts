import { eq, sql } from "drizzle-orm";
import { emailDelivery, type DbHandle } from "@callastar/db";
import { renderEmail, type EmailPayload, type MailTransport } from "@callastar/emails";
import type { AuditLogger } from "@callastar/logger";
import type { RateLimiter } from "@callastar/runtime";

export interface Delivery {
  payload: EmailPayload;
  to: string;
  idempotencyKey: string;
  bookingId?: string | null;
  userId?: string | null;
  /** Extra audit context (recipientName, creatorName, callDateTime, …). */
  context?: Record<string, unknown>;
  attempt?: number;
}

export interface Mailer {
  /** Sends once per idempotency key, ever: "already_sent" when a previous attempt got through. */
  deliver(delivery: Delivery): Promise<{ status: "sent" | "already_sent"; id: string | null }>;
}

/**
 * Every email goes through here: a durable EmailDelivery row makes a retried or re-swept email a
 * no-op (beyond Resend's 24 h Idempotency-Key replay, which covers a crash between send and record);
 * a Redis-wide limiter keeps all copies under the provider's rate; each outcome is audited.
 */
export function createMailer(deps: {
  db: DbHandle;
  logger: AuditLogger;
  transport: MailTransport;
  limiter: RateLimiter;
  from: string;
}): Mailer {
  const { db, logger, transport, limiter, from } = deps;
  const q = deliveryQueries(db);
  return {
    async deliver(d) {
      const template = d.payload.template;
      const context = { recipientEmail: d.to, idempotencyKey: d.idempotencyKey, transport: transport.name, ...d.context };
      const [previous] = await q.find.execute({ key: d.idempotencyKey });
      if (previous) {
        // Sent before; if the process died before its audit row was committed, write it now.
        if (!previous.loggedAt) {
          await logger.logEmailSent(d.bookingId ?? null, d.userId ?? null, template, {
            ...context,
            providerMessageId: previous.id,
            recoveredAfterCrash: true,
          });
          await q.markLogged.execute({ key: d.idempotencyKey, at: new Date() });
        }
        return { status: "already_sent", id: previous.id };
      }
      try {
        const rendered = await renderEmail(d.payload);
        await limiter.acquire();
        const { id } = await transport.send(
          { from, to: d.to, subject: rendered.subject, html: rendered.html, text: rendered.text },
          { idempotencyKey: d.idempotencyKey },
        );
        await q.record.execute({
          key: d.idempotencyKey,
          emailType: template,
          bookingId: d.bookingId ?? null,
          userId: d.userId ?? null,
          to: d.to,
          messageId: id,
        });
        await logger.logEmailSent(d.bookingId ?? null, d.userId ?? null, template, {
          ...context,
          subject: rendered.subject,
          providerMessageId: id,
        });
        await q.markLogged.execute({ key: d.idempotencyKey, at: new Date() });
        return { status: "sent", id };
      } catch (error) {
        await logger.logEmailError(d.bookingId ?? null, d.userId ?? null, template, error, {
          ...context,
          attempt: d.attempt,
          errorType: error instanceof Error ? error.name : typeof error,
        });
        throw error;
      }
    },
  };
}

// Built once per mailer and executed prepared: these run for every email (see booking-query.ts).
function deliveryQueries(db: DbHandle) {
  const key = sql.placeholder("key");
  return {
    find: db.db
      .select({ id: emailDelivery.providerMessageId, loggedAt: emailDelivery.loggedAt })
      .from(emailDelivery)
      .where(eq(emailDelivery.idempotencyKey, key))
      .prepare("email_delivery_find"),
    record: db.db
      .insert(emailDelivery)
      .values({
        idempotencyKey: key,
        emailType: sql.placeholder("emailType"),
        bookingId: sql.placeholder("bookingId"),
        userId: sql.placeholder("userId"),
        recipientEmail: sql.placeholder("to"),
        providerMessageId: sql.placeholder("messageId"),
      })
      .onConflictDoNothing()
      .prepare("email_delivery_record"),
    /** Set once the EMAIL_SENT row is committed (see EmailDelivery.loggedAt). */
    markLogged: db.db
      .update(emailDelivery)
      .set({ loggedAt: sql.placeholder("at") as unknown as Date })
      .where(eq(emailDelivery.idempotencyKey, key))
      .prepare("email_delivery_logged"),
  };
}
