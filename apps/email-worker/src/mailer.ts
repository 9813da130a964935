import { and, eq, gte, sql } from "drizzle-orm";
import { emailDelivery, log, type DbHandle } from "@callastar/db";
import { PermanentError } from "@callastar/errors";
import { renderEmail, type EmailPayload, type MailTransport } from "@callastar/emails";
import { auditRows, type AuditLogger } from "@callastar/logger";
import type { RateLimiter } from "@callastar/runtime";
import { recordDeliveries } from "./delivery-statement";

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

/** A delivery already recorded for an idempotency key. */
export interface PreviousDelivery {
  id: string | null;
  loggedAt: Date | null;
  createdAt: Date;
}

/** An email the provider accepted, not yet recorded. */
export interface SentEmail {
  delivery: Delivery;
  /** The provider's message id. */
  id: string;
  subject: string;
}

export interface Mailer {
  /** Sends once per idempotency key, ever: "already_sent" when a previous attempt got through. */
  deliver(delivery: Delivery): Promise<{ status: "sent" | "already_sent"; id: string | null }>;
  /** Renders, waits for the rate limit and sends, without recording; a failure is audited and rethrown. */
  send(delivery: Delivery): Promise<SentEmail>;
  /**
   * Sends several emails, without recording them: as one request (one rate-limit token, `batchKey`
   * as its idempotency key) when the transport batches, else one by one. A batch refused for one
   * invalid email (422: nothing was sent) is retried one email at a time, so the others still go.
   * Returns what was sent, and the failure that stopped the rest (already audited), if any.
   */
  sendAll(deliveries: readonly Delivery[], batchKey: string): Promise<{ sent: SentEmail[] } | { sent: SentEmail[]; failure: unknown }>;
  /**
   * Records sent emails with their EMAIL_SENT rows in one statement (and marks `remindedBookingId`'s
   * reminder sent in it); a failure is audited per email and rethrown.
   */
  record(sent: readonly SentEmail[], remindedBookingId?: string | null): Promise<void>;
  /** Completes a record found by the caller: "already_sent", writing its audit row if it never was. */
  alreadySent(delivery: Delivery, previous: PreviousDelivery): Promise<{ status: "already_sent"; id: string | null }>;
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
  const contextOf = (d: Delivery) => ({ recipientEmail: d.to, idempotencyKey: d.idempotencyKey, transport: transport.name, ...d.context });
  // `stage: "record"` means the provider accepted the email but it is not recorded yet: the retry
  // sends it again with the same Idempotency-Key, which Resend answers without sending again.
  const auditFailure = (d: Delivery, stage: "render" | "send" | "record", error: unknown) =>
    logger.logEmailError(d.bookingId ?? null, d.userId ?? null, d.payload.template, error, {
      ...contextOf(d),
      attempt: d.attempt,
      stage,
      errorType: error instanceof Error ? error.name : typeof error,
    });

  // Every failure is audited once, at the stage it happened, then rethrown.
  const audited = async <T>(d: Delivery, stage: "render" | "send", step: () => Promise<T>): Promise<T> => {
    try {
      return await step();
    } catch (error) {
      await auditFailure(d, stage, error);
      throw error;
    }
  };

  const mailer: Mailer = {
    async send(d) {
      const rendered = await audited(d, "render", () => renderEmail(d.payload));
      const { id } = await audited(d, "send", async () => {
        await limiter.acquire();
        return transport.send(
          { from, to: d.to, subject: rendered.subject, html: rendered.html, text: rendered.text },
          { idempotencyKey: d.idempotencyKey },
        );
      });
      return { delivery: d, id, subject: rendered.subject };
    },

    async sendAll(deliveries, batchKey) {
      const oneByOne = async (): Promise<{ sent: SentEmail[] } | { sent: SentEmail[]; failure: unknown }> => {
        const sent: SentEmail[] = [];
        for (const d of deliveries) {
          try {
            sent.push(await mailer.send(d));
          } catch (failure) {
            return { sent, failure };
          }
        }
        return { sent };
      };
      if (deliveries.length < 2 || !transport.sendBatch) return oneByOne();
      const rendered: Array<{ subject: string; html: string; text: string }> = [];
      for (const d of deliveries) {
        try {
          rendered.push(await audited(d, "render", () => renderEmail(d.payload)));
        } catch (failure) {
          return { sent: [], failure };
        }
      }
      try {
        await limiter.acquire();
        const { ids } = await transport.sendBatch(
          deliveries.map((d, i) => ({ from, to: d.to, ...rendered[i]! })),
          { idempotencyKey: batchKey },
        );
        return { sent: deliveries.map((delivery, i) => ({ delivery, id: ids[i]!, subject: rendered[i]!.subject })) };
      } catch (failure) {
        if (failure instanceof PermanentError && failure.status === 422) return oneByOne();
        await Promise.all(deliveries.map((d) => auditFailure(d, "send", failure)));
        return { sent: [], failure };
      }
    },

    async record(sent, remindedBookingId = null) {
      if (sent.length === 0) return;
      const deliveries = sent.map(({ delivery: d, id, subject }) => ({
        record: {
          idempotencyKey: d.idempotencyKey,
          emailType: d.payload.template,
          bookingId: d.bookingId ?? null,
          userId: d.userId ?? null,
          recipientEmail: d.to,
          providerMessageId: id,
        },
        auditRow: auditRows.logEmailSent(d.bookingId ?? null, d.userId ?? null, d.payload.template, {
          ...contextOf(d),
          subject,
          providerMessageId: id,
        }),
      }));
      try {
        await recordDeliveries(db.sql, deliveries, remindedBookingId);
      } catch (error) {
        await Promise.all(sent.map(({ delivery }) => auditFailure(delivery, "record", error)));
        throw error;
      }
    },

    async alreadySent(d, previous) {
      // Records made before the record and its audit row shared a statement carry loggedAt only
      // once their row committed: a record without it may lack its row (a narrow createdAt range
      // on the spec's ("type", "createdAt") index keeps the lookup cheap).
      if (!previous.loggedAt && !(await auditRowExists(q, d.idempotencyKey, previous.createdAt))) {
        await logger.logEmailSent(d.bookingId ?? null, d.userId ?? null, d.payload.template, {
          ...contextOf(d),
          providerMessageId: previous.id,
          recoveredAfterCrash: true,
        });
      }
      if (!previous.loggedAt) await q.markLogged.execute({ key: d.idempotencyKey, at: new Date().toISOString() });
      return { status: "already_sent", id: previous.id };
    },

    async deliver(d) {
      const [previous] = await q.find.execute({ key: d.idempotencyKey });
      if (previous) return mailer.alreadySent(d, previous);
      const sent = await mailer.send(d);
      await mailer.record([sent]);
      return { status: "sent", id: sent.id };
    },
  };
  return mailer;
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
