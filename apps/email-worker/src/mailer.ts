import { and, eq, gte, sql } from "drizzle-orm";
import { emailDelivery, log, type DbHandle } from "@callastar/db";
import { renderEmail, type EmailPayload, type MailTransport } from "@callastar/emails";
import { auditRows, type AuditLogger } from "@callastar/logger";
import type { RateLimiter } from "@callastar/runtime";
import { recordDelivery } from "./delivery-statement";

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

/** A delivery already recorded for an idempotency key (the caller may have read it already). */
export interface PreviousDelivery {
  id: string | null;
  loggedAt: Date | null;
  createdAt: Date;
}

export interface Mailer {
  /**
   * Sends once per idempotency key, ever: "already_sent" when a previous attempt got through.
   * `previous` is what the caller already read of the key's record (null: none); omitted, it is looked up.
   */
  deliver(delivery: Delivery, previous?: PreviousDelivery | null): Promise<{ status: "sent" | "already_sent"; id: string | null }>;
}

/**
 * Every email goes through here: a durable EmailDelivery row, committed in one statement with the
 * email's EMAIL_SENT audit row, makes a retried or re-swept email a no-op (beyond Resend's 24 h
 * Idempotency-Key replay, which covers a crash between the send and that statement); a Redis-wide
 * limiter keeps all copies under the provider's rate; failures are audited as EMAIL_ERROR.
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
    async deliver(d, known) {
      const template = d.payload.template;
      const context = { recipientEmail: d.to, idempotencyKey: d.idempotencyKey, transport: transport.name, ...d.context };
      const previous = known !== undefined ? known : ((await q.find.execute({ key: d.idempotencyKey }))[0] ?? null);
      if (previous) {
        // Recorded before. Records made before the record and its audit row shared a statement
        // carry loggedAt only once their row committed: a record without it may lack its row
        // (a narrow createdAt range on the spec's ("type", "createdAt") index keeps the lookup cheap).
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
      let stage: "render" | "send" | "record" = "render";
      try {
        const rendered = await renderEmail(d.payload);
        stage = "send";
        await limiter.acquire();
        const { id } = await transport.send(
          { from, to: d.to, subject: rendered.subject, html: rendered.html, text: rendered.text },
          { idempotencyKey: d.idempotencyKey },
        );
        stage = "record";
        const row = auditRows.logEmailSent(d.bookingId ?? null, d.userId ?? null, template, {
          ...context,
          subject: rendered.subject,
          providerMessageId: id,
        });
        await recordDelivery(
          db.sql,
          { idempotencyKey: d.idempotencyKey, emailType: template, bookingId: d.bookingId ?? null, userId: d.userId ?? null, recipientEmail: d.to, providerMessageId: id },
          row,
        );
        return { status: "sent", id };
      } catch (error) {
        // `stage: "record"` means the provider accepted the email but it is not recorded yet: the
        // retry sends it again with the same Idempotency-Key, which Resend answers without resending.
        await logger.logEmailError(d.bookingId ?? null, d.userId ?? null, template, error, {
          ...context,
          attempt: d.attempt,
          stage,
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
    /** Completes a record made before the record and its audit row shared a statement. */
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
