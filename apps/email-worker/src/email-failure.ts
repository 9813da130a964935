// The mailer does not audit its failures: the job handler writes one row per failed attempt. So
// that row can still say where the attempt failed and which email, the mailer notes both against
// the error it rethrows (the error itself is kept: its class drives the retry decision).
import type { EmailPayload } from "@callastar/emails";

/** Where an email failed: rendering it, handing it to the provider, or recording what was accepted. */
export type FailureStage = "render" | "send" | "record";

/** The emails a failure concerns (one, or every email of a batch request). */
export interface FailedEmail {
  payload: EmailPayload;
  to: string;
  idempotencyKey: string;
  userId?: string | null;
}

const notes = new WeakMap<object, { stage: FailureStage; emails: readonly FailedEmail[] }>();

/** Notes where `error` happened (the first note wins: it is the closest to the cause); returns it. */
export function noteFailure<E>(error: E, stage: FailureStage, emails: readonly FailedEmail[]): E {
  if (typeof error === "object" && error !== null && !notes.has(error)) notes.set(error, { stage, emails });
  return error;
}

/** What {@link noteFailure} noted for `error`, if anything. */
export function failureNote(error: unknown): { stage: FailureStage; emails: readonly FailedEmail[] } | undefined {
  return typeof error === "object" && error !== null ? notes.get(error) : undefined;
}
