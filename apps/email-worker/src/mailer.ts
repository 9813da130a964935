import { eq, sql } from "drizzle-orm";
import { emailDelivery, type DbHandle } from "@callastar/db";
import type { EmailPayload, MailMessage, MailTransport } from "@callastar/emails";
import { createEmailRecorder, type EmailSubject } from "./email-record";
import { noteFailure } from "./email-failure";
import { RateLimitedError } from "@callastar/errors";
import type { SendPacer } from "./send-pacer";

export type { PreviousDelivery } from "./email-record";

export interface Delivery {
  payload: EmailPayload;
  to: string;
  idempotencyKey: string;
  bookingId?: string | null;
  userId?: string | null;
  /** Extra audit context (recipientName, creatorName, callDateTime, …). */
  context?: Record<string, unknown>;
}

/** What the audit rows say of a delivery. */
export const subjectOf = (d: Delivery): EmailSubject => ({
  idempotencyKey: d.idempotencyKey,
  emailType: d.payload.template,
  to: d.to,
  bookingId: d.bookingId ?? null,
  userId: d.userId ?? null,
  context: d.context ?? {},
});

/**
 * Failures are not audited here (the job handler writes one row per failed attempt); each is
 * rethrown as is, noted with its stage and email (see noteFailure).
 */
export interface Mailer {
  /** Sends once per idempotency key, ever: "already_sent" when a previous attempt got through. */
  deliver(delivery: Delivery): Promise<{ status: "sent" | "already_sent"; id: string | null }>;
  /** Renders a delivery into the message as it is sent (the batch sender sends it later). */
  message(delivery: Delivery): Promise<MailMessage>;
}

/**
 * The ad-hoc email path, and rendering for the batched one. A durable EmailDelivery row, committed
 * in one statement with the email's EMAIL_SENT row (id `email-sent:<idempotencyKey>`), makes a
 * retried email a no-op; a crash between the send and that statement makes the retry send the
 * same content with the same Idempotency-Key, which Resend answers from its 24 h replay cache. The
 * pacer in Redis keeps all copies inside the provider's window (behind due reminders, send-pacer.ts).
 */
export function createMailer(deps: {
  db: DbHandle;
  transport: MailTransport;
  pacer: SendPacer;
  from: string;
  /** Aborted at shutdown: a send still waiting for its slot gives it up and its job goes back to the queue. */
  stopping?: AbortSignal;
}): Mailer {
  const { db, transport, pacer, from } = deps;
  const find = findDelivery(db);
  const recorder = createEmailRecorder(db, transport.name);

  const message = async (d: Delivery): Promise<MailMessage> => {
    try {
      // React Email loads at the first render (a dynamic import), not while the worker waits idle.
      const { renderEmail } = await import("@callastar/emails/render");
      const rendered = await renderEmail(d.payload);
      return { from, to: d.to, subject: rendered.subject, html: rendered.html, text: rendered.text };
    } catch (error) {
      throw noteFailure(error, "render", [d]);
    }
  };

  const sendOne = async (d: Delivery, m: MailMessage) => {
    try {
      const slot = await pacer.acquire({ signal: deps.stopping });
      await slot.sending();
      try {
        const sent = await transport.send(m, { idempotencyKey: d.idempotencyKey });
        await slot.settle({ rate: sent.rate }).catch(() => undefined);
        return sent;
      } catch (error) {
        await slot.settle(error instanceof RateLimitedError ? { retryAfterMs: error.retryAfterMs } : {}).catch(() => undefined);
        throw error;
      }
    } catch (error) {
      throw noteFailure(error, "send", [d]);
    }
  };

  return {
    message,
    async deliver(d) {
      const [previous] = await find.execute({ key: d.idempotencyKey });
      // Its record committed with its audit row, so there is nothing left to complete.
      if (previous) return { status: "already_sent", id: previous.id };
      const m = await message(d);
      const { id } = await sendOne(d, m);
      try {
        await recorder.record([{ ...subjectOf(d), subject: m.subject, providerMessageId: id }]);
      } catch (error) {
        throw noteFailure(error, "record", [d]);
      }
      return { status: "sent", id };
    },
  };
}

// Built once per mailer and executed prepared: it runs for every ad-hoc email (see booking-query.ts).
function findDelivery(db: DbHandle) {
  return db.db
    .select({ id: emailDelivery.providerMessageId, createdAt: emailDelivery.createdAt })
    .from(emailDelivery)
    .where(eq(emailDelivery.idempotencyKey, sql.placeholder("key")))
    .prepare("email_delivery_find");
}
