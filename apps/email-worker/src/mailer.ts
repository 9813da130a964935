import { eq } from "drizzle-orm";
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
  return {
    async deliver(d) {
      const template = d.payload.template;
      const context = { recipientEmail: d.to, idempotencyKey: d.idempotencyKey, transport: transport.name, ...d.context };
      const [previous] = await db.db
        .select({ id: emailDelivery.providerMessageId, loggedAt: emailDelivery.loggedAt })
        .from(emailDelivery)
        .where(eq(emailDelivery.idempotencyKey, d.idempotencyKey));
      if (previous) {
        // Sent before; if the process died before its audit row was committed, write it now.
        if (!previous.loggedAt) {
          await logger.logEmailSent(d.bookingId ?? null, d.userId ?? null, template, {
            ...context,
            providerMessageId: previous.id,
            recoveredAfterCrash: true,
          });
          await markLogged(db, d.idempotencyKey);
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
        await db.db
          .insert(emailDelivery)
          .values({
            idempotencyKey: d.idempotencyKey,
            emailType: template,
            bookingId: d.bookingId ?? null,
            userId: d.userId ?? null,
            recipientEmail: d.to,
            providerMessageId: id,
          })
          .onConflictDoNothing();
        await logger.logEmailSent(d.bookingId ?? null, d.userId ?? null, template, {
          ...context,
          subject: rendered.subject,
          providerMessageId: id,
        });
        await markLogged(db, d.idempotencyKey);
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

async function markLogged(db: DbHandle, idempotencyKey: string): Promise<void> {
  await db.db.update(emailDelivery).set({ loggedAt: new Date() }).where(eq(emailDelivery.idempotencyKey, idempotencyKey));
}
