import { eq, sql } from "drizzle-orm";
import { emailDelivery, type DbHandle } from "@callastar/db";
import { sendsAlone, type EmailPayload, type MailMessage, type MailTransport } from "@callastar/emails";
import { createEmailRecorder, type EmailSubject } from "./email-record";
import { noteFailure } from "./email-failure";
import { RateLimitedError } from "@callastar/errors";
import type { SendPacer } from "./send-pacer";
import { queueAdhocEmail } from "./pending-emails";

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

/** What became of an ad-hoc email (a `send-email` job's result). */
type AdhocOutcome =
  /** Durably in "PendingEmail": the batch sender delivers and records it (or records its refusal). */
  | { status: "queued" | "already_queued" }
  /** Sent alone (an email the batch endpoint refuses), or delivered earlier by any path. */
  | { status: "sent" | "already_sent"; id: string | null }
  /** Resend refused it in a batch earlier: its final EMAIL_ERROR row (`email-failed:<key>`) says why. */
  | { status: "refused"; reason: string };

/**
 * Failures are not audited here (the job handler writes one row per failed attempt); each is
 * rethrown as is, noted with its stage and email (see noteFailure).
 */
export interface Mailer {
  /** Sends once per idempotency key, ever: "already_sent" when a previous attempt got through. */
  deliver(delivery: Delivery): Promise<{ status: "sent" | "already_sent"; id: string | null }>;
  /** Renders a delivery into the message as it is sent (the batch sender sends it later). */
  message(delivery: Delivery): Promise<MailMessage>;
  /**
   * An ad-hoc email: nothing when its key was delivered or refused already; else rendered and
   * queued for the batch sender, or sent alone when the batch endpoint cannot carry it.
   */
  adhoc(delivery: Delivery): Promise<AdhocOutcome>;
  /** `adhoc` once rendered: queued, or sent alone (`sendsAlone`: attachments, a scheduled send). */
  queueOrSend(delivery: Delivery, message: MailMessage): Promise<AdhocOutcome>;
}

/**
 * Ad-hoc emails (queued for the batch sender, or sent alone when a batch cannot carry them), and
 * rendering for the batched path. On the lone send path: a durable EmailDelivery row, committed
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
  const earlier = async (key: string) => {
    const [row] = await db.sql.unsafe<Array<{ delivered: boolean; id: string | null; refused: string | null }>>(EARLIER_OUTCOME, [key], { prepare: true });
    return row!;
  };

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

  const deliverRendered = async (d: Delivery, m: MailMessage) => {
    const { id } = await sendOne(d, m);
    try {
      await recorder.record([{ ...subjectOf(d), subject: m.subject, providerMessageId: id }]);
    } catch (error) {
      throw noteFailure(error, "record", [d]);
    }
    return { status: "sent" as const, id };
  };

  // Rendering is CPU the batch sender needs while reminders go out (measured: 5,000 ad-hoc jobs
  // rendering at a peak's due time delayed its first request by 1.5-3 s): an ad-hoc job waits while
  // an urgent send waits, for a bounded time, so a long peak still lets ad-hoc emails be queued.
  const yieldToReminders = async () => {
    const until = Date.now() + ADHOC_YIELD_MAX_MS;
    while (Date.now() < until && !deps.stopping?.aborted && (await pacer.urgentWaiting())) await new Promise((r) => setTimeout(r, ADHOC_YIELD_POLL_MS));
  };

  const queueOrSend = async (d: Delivery, m: MailMessage): Promise<AdhocOutcome> => {
    if (sendsAlone(m)) return deliverRendered(d, m);
    try {
      return { status: (await queueAdhocEmail(db.sql, { subject: subjectOf(d), message: m })) ? "queued" : "already_queued" };
    } catch (error) {
      throw noteFailure(error, "record", [d]);
    }
  };

  return {
    message,
    queueOrSend,
    async deliver(d) {
      const [previous] = await find.execute({ key: d.idempotencyKey });
      // Its record committed with its audit row, so there is nothing left to complete.
      if (previous) return { status: "already_sent", id: previous.id };
      return deliverRendered(d, await message(d));
    },
    async adhoc(d) {
      const before = await earlier(d.idempotencyKey);
      if (before.delivered) return { status: "already_sent", id: before.id };
      // A refusal is Resend's verdict on this message: the same key is not queued again (docs/email.md).
      if (before.refused !== null) return { status: "refused", reason: before.refused };
      await yieldToReminders();
      return queueOrSend(d, await message(d));
    },
  };
}

const ADHOC_YIELD_MAX_MS = 10_000;
const ADHOC_YIELD_POLL_MS = 200;

// One round trip for the two earlier outcomes an ad-hoc email can have had.
const EARLIER_OUTCOME = `
SELECT EXISTS (SELECT 1 FROM "EmailDelivery" WHERE "idempotencyKey" = $1) AS delivered,
  (SELECT "providerMessageId" FROM "EmailDelivery" WHERE "idempotencyKey" = $1) AS id,
  (SELECT coalesce("error", message) FROM "Log" WHERE id = 'email-failed:' || $1) AS refused`;

// Built once per mailer and executed prepared: it runs for every ad-hoc email (see booking-query.ts).
function findDelivery(db: DbHandle) {
  return db.db
    .select({ id: emailDelivery.providerMessageId, createdAt: emailDelivery.createdAt })
    .from(emailDelivery)
    .where(eq(emailDelivery.idempotencyKey, sql.placeholder("key")))
    .prepare("email_delivery_find");
}
