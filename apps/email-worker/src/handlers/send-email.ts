import type { AuditLogger } from "@callastar/audit-log";
import type { EmailPayload } from "@callastar/emails";
import type { SendEmailPayload } from "@callastar/queues";
import { auditEmailAttempt, type AttemptJob } from "../attempt-failure";
import type { Mailer } from "../mailer";

/**
 * An ad-hoc email from the main app: rendered and queued durably for the batch sender (which sends
 * and records it), once per idempotency key; sent alone if a batch cannot carry it. The job is done
 * once the email is queued. One error row per failed attempt (rendering, queuing, a lone send).
 */
export async function processSendEmail(deps: { mailer: Mailer; logger: AuditLogger }, data: SendEmailPayload, job: AttemptJob) {
  const { to, idempotencyKey, bookingId, userId, template, props } = data;
  try {
    return await deps.mailer.adhoc({
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
