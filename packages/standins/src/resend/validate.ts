import { resendErrors, type StandinAnswer } from "./errors";

/** An email body that passed validation, normalised (recipient fields as arrays). */
export interface ValidEmail {
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  replyTo: string[];
  subject: string;
  html: string | null;
  text: string | null;
  tags: Array<{ name: string; value: string }>;
  emailHeaders: Record<string, string>;
}

export type EmailCheck = { ok: true; email: ValidEmail } | { ok: false; answer: StandinAnswer };

/** Resend's per-email recipient limit on `to`. */
export const MAX_RECIPIENTS = 50;

// `email@example.com` or `Name <email@example.com>`, the two forms Resend documents.
const ADDRESS = /^(?:[^<>]*<\s*[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+\s*>|[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+)$/;
const TAG_PART = /^[A-Za-z0-9_-]{1,256}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function addressMessage(field: string): string {
  return `Invalid \`${field}\` field. The email address needs to follow the \`email@example.com\` or \`Name <email@example.com>\` format.`;
}

/** Reads an address list (string or array); a string error message when malformed. */
function addresses(field: string, value: unknown, max: number): string[] | string {
  const list = typeof value === "string" ? [value] : value;
  if (!Array.isArray(list) || !list.every((item): item is string => typeof item === "string")) {
    return `Invalid \`${field}\` field. Expected a string or an array of strings.`;
  }
  if (list.length > max) return `Invalid \`${field}\` field. Too many recipients: at most ${max} are allowed.`;
  if (!list.every((item) => ADDRESS.test(item.trim()))) return addressMessage(field);
  return list.map((item) => item.trim());
}

function optionalAddresses(field: string, value: unknown): string[] | string {
  return value === undefined || value === null ? [] : addresses(field, value, MAX_RECIPIENTS);
}

/** Validates one `POST /emails` body the way Resend does: 422 naming the field. */
export function validateEmail(body: unknown, options: { batch?: boolean } = {}): EmailCheck {
  const fail = (answer: StandinAnswer): EmailCheck => ({ ok: false, answer });
  if (!isRecord(body)) return fail(resendErrors.validation("Invalid request body. Expected a JSON object."));
  for (const field of ["from", "to", "subject"] as const) {
    const value = body[field];
    if (value === undefined || value === null || value === "" || (Array.isArray(value) && value.length === 0)) {
      return fail(resendErrors.missingField(field));
    }
  }
  if (typeof body.from !== "string" || !ADDRESS.test(body.from.trim())) {
    return fail(resendErrors.validation(addressMessage("from")));
  }
  if (typeof body.subject !== "string") return fail(resendErrors.validation("Invalid `subject` field. Expected a string."));
  const to = addresses("to", body.to, MAX_RECIPIENTS);
  const cc = optionalAddresses("cc", body.cc);
  const bcc = optionalAddresses("bcc", body.bcc);
  const replyTo = optionalAddresses("reply_to", body.reply_to);
  for (const list of [to, cc, bcc, replyTo]) if (typeof list === "string") return fail(resendErrors.validation(list));
  const html = body.html ?? null;
  const text = body.text ?? null;
  if (html !== null && typeof html !== "string") return fail(resendErrors.validation("Invalid `html` field. Expected a string."));
  if (text !== null && typeof text !== "string") return fail(resendErrors.validation("Invalid `text` field. Expected a string."));
  // The SDK turns `react` into `html` before sending, so on the wire only html, text or a hosted template can carry content.
  if (html === null && text === null && !isRecord(body.template)) {
    return fail(resendErrors.validation("Missing `html` or `text` field."));
  }
  if (options.batch && body.attachments !== undefined) {
    return fail(resendErrors.validation("The `attachments` field is not supported for batch emails."));
  }
  if (options.batch && body.scheduled_at !== undefined) {
    return fail(resendErrors.validation("The `scheduled_at` field is not supported for batch emails."));
  }
  const tags = body.tags ?? [];
  if (
    !Array.isArray(tags) ||
    !tags.every((tag) => isRecord(tag) && typeof tag.name === "string" && typeof tag.value === "string" && TAG_PART.test(tag.name) && TAG_PART.test(tag.value))
  ) {
    return fail(resendErrors.validation("Invalid `tags` field. Tag names and values may only contain ASCII letters, numbers, underscores and dashes."));
  }
  const rawHeaders = body.headers ?? {};
  if (!isRecord(rawHeaders) || !Object.values(rawHeaders).every((v) => typeof v === "string")) {
    return fail(resendErrors.validation("Invalid `headers` field. Expected an object of string values."));
  }
  return {
    ok: true,
    email: {
      from: body.from.trim(),
      to: to as string[],
      cc: cc as string[],
      bcc: bcc as string[],
      replyTo: replyTo as string[],
      subject: body.subject,
      html: html,
      text: text,
      tags: tags as Array<{ name: string; value: string }>,
      emailHeaders: rawHeaders as Record<string, string>,
    },
  };
}
