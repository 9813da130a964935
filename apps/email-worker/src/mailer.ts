import { and, eq, gte, sql } from "drizzle-orm";
import { emailDelivery, log, type DbHandle } from "@callastar/db";
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
        // Sent before. If the process died before marking its audit row written, the row may or may
        // not have committed: write it only if it is not there (a narrow createdAt range on the
        // spec's ("type", "createdAt") index keeps this lookup cheap on a large "Log").
        if (!previous.loggedAt && !(await auditRowExists(q, d.idempotencyKey, previous.createdAt))) {
          await logger.logEmailSent(d.bookingId ?? null, d.userId ?? null, template, {
            ...context,
            providerMessageId: previous.id,
            recoveredAfterCrash: true,
          });
          }
        if (!previous.loggedAt) await q.markLogged.execute({ key: d.idempotencyKey, at: new Date().toISOString() });
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
        await q.markLogged.execute({ key: d.idempotencyKey, at: new Date().toISOString() });
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
      .select({ id: emailDelivery.providerMessageId, loggedAt: emailDelivery.loggedAt, createdAt: emailDelivery.createdAt })
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
    auditRow: db.db
      .select({ id: log.id })
      .from(log)
      .where(
        and(
          eq(log.type, "EMAIL_SENT"),
          gte(log.createdAt, sql.placeholder("since")),
          sql`${log.context}->>'idempotencyKey' = ${sql.placeholder("key")}`,
        ),
      )
      .limit(1)
      .prepare("email_audit_row"),
    /** Set once the EMAIL_SENT row is committed (see EmailDelivery.loggedAt). */
    markLogged: db.db
      .update(emailDelivery)
      .set({ loggedAt: sql`${sql.placeholder("at")}::timestamp(3)` })
      .where(eq(emailDelivery.idempotencyKey, key))
      .prepare("email_delivery_logged"),
  };
}

// The EMAIL_SENT row is written just before the delivery is marked logged, and its createdAt is
// the call time, so it cannot predate the delivery record by more than the send itself.
async function auditRowExists(q: ReturnType<typeof deliveryQueries>, key: string, deliveredAt: Date): Promise<boolean> {
  // ISO text: a Date bound to a drizzle placeholder reaches PostgreSQL as Date#toString().
  const rows = await q.auditRow.execute({ key, since: new Date(deliveredAt.getTime() - 10 * 60_000).toISOString() });
  return rows.length > 0;
}
