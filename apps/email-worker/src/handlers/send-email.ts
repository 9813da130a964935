import type { Job } from "bullmq";
import type { EmailPayload } from "@callastar/emails";
import type { SendEmailPayload } from "@callastar/queues";
import type { Mailer } from "../mailer";

/** An ad-hoc email from the main app: render, send once per idempotency key, audit. */
export async function processSendEmail(mailer: Mailer, data: SendEmailPayload, job: Pick<Job, "attemptsMade">) {
  const { to, idempotencyKey, bookingId, userId, template, props } = data;
  return mailer.deliver({
    payload: { template, props } as EmailPayload,
    to,
    idempotencyKey,
    bookingId: bookingId ?? null,
    userId: userId ?? null,
    attempt: job.attemptsMade + 1,
  });
}
