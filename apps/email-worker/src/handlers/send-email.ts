import type { AuditLogger } from "@callastar/audit-log";
import type { EmailPayload } from "@callastar/emails";
import type { SendEmailPayload } from "@callastar/queues";
import { auditEmailAttempt, type AttemptJob } from "../attempt-failure";
import type { Mailer } from "../mailer";

/** An ad-hoc email from the main app: render, send once per idempotency key, audit (one error row per failed attempt). */
export async function processSendEmail(deps: { mailer: Mailer; logger: AuditLogger }, data: SendEmailPayload, job: AttemptJob) {
  const { to, idempotencyKey, bookingId, userId, template, props } = data;
  try {
    return await deps.mailer.deliver({
      payload: { template, props } as EmailPayload,
      to,
      idempotencyKey,
      bookingId: bookingId ?? null,
      userId: userId ?? null,
    });
  } catch (error) {
    throw await auditEmailAttempt(deps.logger, job, error, {
      bookingId: bookingId ?? null,
      userId: userId ?? null,
      emailType: template,
      context: { recipientEmail: to, idempotencyKey },
    });
  }
}
