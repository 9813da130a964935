import { eq, sql } from "drizzle-orm";
import { emailDelivery, type DbHandle } from "@callastar/db";
import { PermanentError } from "@callastar/errors";
import { renderEmail, type EmailPayload, type MailTransport } from "@callastar/emails";
import { auditRows } from "@callastar/logger";
import type { RateLimiter } from "@callastar/runtime";
import { emailAuditIds } from "./audit-once";
import { completeLegacyDelivery, recordDeliveries } from "./delivery-statement";
import { noteFailure } from "./email-failure";

export interface Delivery {
  payload: EmailPayload;
  to: string;
  idempotencyKey: string;
  bookingId?: string | null;
  userId?: string | null;
  /** Extra audit context (recipientName, creatorName, callDateTime, …). */
  context?: Record<string, unknown>;
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

/**
 * Failures are not audited here (the job handler writes one row per failed attempt); each is
 * rethrown as is, noted with its stage and email (see noteFailure).
 */
export interface Mailer {
  /** Sends once per idempotency key, ever: "already_sent" when a previous attempt got through. */
  deliver(delivery: Delivery): Promise<{ status: "sent" | "already_sent"; id: string | null }>;
  /** Renders, waits for the rate limit and sends, without recording. */
  send(delivery: Delivery): Promise<SentEmail>;
  /**
   * Sends several emails, without recording them: as one request (one rate-limit token, `batchKey`
   * as its idempotency key) when the transport batches, else one by one. A batch refused for one
   * invalid email (422: nothing was sent) is retried one email at a time, so the others still go.
   * Returns what was sent, and the failure that stopped the rest, if any.
   */
  sendAll(deliveries: readonly Delivery[], batchKey: string): Promise<{ sent: SentEmail[] } | { sent: SentEmail[]; failure: unknown }>;
  /** Records sent emails with their EMAIL_SENT rows in one statement (and marks `remindedBookingId`'s reminder sent in it). */
  record(sent: readonly SentEmail[], remindedBookingId?: string | null): Promise<void>;
  /** Completes a record found by the caller: "already_sent", writing its audit row if it never was. */
  alreadySent(delivery: Delivery, previous: PreviousDelivery): Promise<{ status: "already_sent"; id: string | null }>;
}

/**
 * Every email goes through here: a durable EmailDelivery row, committed in one statement with the
 * email's EMAIL_SENT audit row (id `email-sent:<idempotencyKey>`), makes a retried or re-swept
 * email a no-op; a crash between the send and that statement makes the retry send the same
 * content with the same Idempotency-Key, which Resend answers from its 24 h replay cache. A
 * Redis-wide limiter keeps all copies under the provider's rate.
 */
export function createMailer(deps: { db: DbHandle; transport: MailTransport; limiter: RateLimiter; from: string }): Mailer {
  const { db, transport, limiter, from } = deps;
  const find = findDelivery(db);
  const contextOf = (d: Delivery) => ({ recipientEmail: d.to, idempotencyKey: d.idempotencyKey, transport: transport.name, ...d.context });
  const sentRow = (d: Delivery, extra: Record<string, unknown>) => ({
    ...auditRows.logEmailSent(d.bookingId ?? null, d.userId ?? null, d.payload.template, { ...contextOf(d), ...extra }),
    id: emailAuditIds.emailSent(d.idempotencyKey),
  });
  const render = async (d: Delivery) => {
    try {
      return await renderEmail(d.payload);
    } catch (error) {
      throw noteFailure(error, "render", [d]);
    }
  };

  const mailer: Mailer = {
    async send(d) {
      const rendered = await render(d);
      try {
        await limiter.acquire();
        const { id } = await transport.send(
          { from, to: d.to, subject: rendered.subject, html: rendered.html, text: rendered.text },
          { idempotencyKey: d.idempotencyKey },
        );
        return { delivery: d, id, subject: rendered.subject };
      } catch (error) {
        throw noteFailure(error, "send", [d]);
      }
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
          rendered.push(await render(d));
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
        return { sent: [], failure: noteFailure(failure, "send", deliveries) };
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
        auditRow: sentRow(d, { subject, providerMessageId: id }),
      }));
      try {
        await recordDeliveries(db.sql, deliveries, remindedBookingId);
      } catch (error) {
        throw noteFailure(error, "record", sent.map((s) => s.delivery));
      }
    },

    async alreadySent(d, previous) {
      // Only records written before the record and its row shared a statement lack loggedAt.
      if (!previous.loggedAt) {
        const row = sentRow(d, { providerMessageId: previous.id, recoveredAfterCrash: true });
        try {
          await completeLegacyDelivery(db.sql, d.idempotencyKey, row, previous.createdAt);
        } catch (error) {
          throw noteFailure(error, "record", [d]);
        }
      }
      return { status: "already_sent", id: previous.id };
    },

    async deliver(d) {
      const [previous] = await find.execute({ key: d.idempotencyKey });
      if (previous) return mailer.alreadySent(d, previous);
      const sent = await mailer.send(d);
      await mailer.record([sent]);
      return { status: "sent", id: sent.id };
    },
  };
  return mailer;
}

// Built once per mailer and executed prepared: it runs for every ad-hoc email (see booking-query.ts).
function findDelivery(db: DbHandle) {
  return db.db
    .select({ id: emailDelivery.providerMessageId, loggedAt: emailDelivery.loggedAt, createdAt: emailDelivery.createdAt })
    .from(emailDelivery)
    .where(eq(emailDelivery.idempotencyKey, sql.placeholder("key")))
    .prepare("email_delivery_find");
}
