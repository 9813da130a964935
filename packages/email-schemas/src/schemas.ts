// The email templates' names and props, in a package of their own that imports only zod: the
// producer (and the main app through @callastar/producer) validates with them without React, the
// templates or the Resend SDK; @callastar/emails renders with the same schemas.
import { z } from "zod";

/** True when `value` names a time zone this runtime's Intl knows (IANA names such as "Europe/Paris"). */
export function isValidTimeZone(value: string): boolean {
  const known = checkedZones.get(value);
  if (known !== undefined) return known;
  let valid: boolean;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: value });
    valid = true;
  } catch {
    valid = false;
  }
  // Bounded: valid zones are a few hundred names; invalid ones are not remembered.
  if (valid && checkedZones.size < 1_000) checkedZones.set(value, true);
  return valid;
}
const checkedZones = new Map<string, boolean>();

function isDailyUrl(value: string): boolean {
  try {
    const host = new URL(value).hostname.toLowerCase();
    return host === "daily.co" || host.endsWith(".daily.co");
  } catch {
    return false;
  }
}

const name = z.string().trim().min(1).max(200);
const title = z.string().trim().min(1).max(300);
/** An instant with an explicit offset (`Z` or `+01:00`): a local time without one would be ambiguous. */
const callDateTime = z.iso.datetime({ offset: true });
const timeZone = z.string().min(1).refine(isValidTimeZone, { message: "Invalid time zone: expected an IANA name such as Europe/Paris" });
/** The platform's booking page; the Daily room link never goes into an email (it is opened from the platform). */
const bookingUrl = z
  .url({ protocol: /^https?$/, message: "Invalid URL: expected an http(s) URL" })
  .refine((value) => !isDailyUrl(value), { message: "bookingUrl must link the platform's booking page, not a Daily room" });
/** Integer minor units (cents), as Stripe and the database store them. */
const amount = z.number().int().nonnegative().max(100_000_000);
const currency = z.string().regex(/^[A-Za-z]{3}$/, { message: "Invalid currency: expected a 3-letter ISO 4217 code" });

/** Props of the reminder sent to the fan before the call. */
export const bookingReminderClientPropsSchema = z.object({
  recipientName: name,
  creatorName: name,
  callTitle: title.optional(),
  callDateTime,
  timeZone,
  bookingUrl,
});

/** Props of the reminder sent to the creator before the call. */
export const bookingReminderCreatorPropsSchema = z.object({
  recipientName: name,
  clientName: name,
  callTitle: title.optional(),
  callDateTime,
  timeZone,
  bookingUrl,
});

/** Props of the fan's booking confirmation. */
export const bookingConfirmationPropsSchema = z.object({
  recipientName: name,
  creatorName: name,
  callTitle: title,
  callDateTime,
  timeZone,
  bookingUrl,
  amount,
  currency,
});

/** Props of the cancellation notice (sent to either party). */
export const bookingCancelledPropsSchema = z.object({
  recipientName: name,
  otherPartyName: name,
  callTitle: title,
  callDateTime,
  timeZone,
  reason: z.string().trim().min(1).max(1000).optional(),
  bookingUrl: bookingUrl.optional(),
});

/** Props of the creator's new-booking notice. */
export const creatorNewBookingPropsSchema = z.object({
  recipientName: name,
  clientName: name,
  callTitle: title,
  callDateTime,
  timeZone,
  bookingUrl,
  amount,
  currency,
});

/** Props of the payment receipt. */
export const paymentReceivedPropsSchema = z.object({
  recipientName: name,
  amount,
  currency,
  callTitle: title.optional(),
  bookingUrl: bookingUrl.optional(),
});

/** Every template's props schema, by template name. */
export const emailPropsSchemas = {
  booking_reminder_client: bookingReminderClientPropsSchema,
  booking_reminder_creator: bookingReminderCreatorPropsSchema,
  booking_confirmation: bookingConfirmationPropsSchema,
  booking_cancelled: bookingCancelledPropsSchema,
  creator_new_booking: creatorNewBookingPropsSchema,
  payment_received: paymentReceivedPropsSchema,
} as const;

/** A template's name. */
export type EmailTemplateName = keyof typeof emailPropsSchemas;

/** Every template name. */
export const EMAIL_TEMPLATES = Object.keys(emailPropsSchemas) as ReadonlyArray<EmailTemplateName>;

/** The props of template `T`, as parsed. */
export type EmailProps<T extends EmailTemplateName> = z.output<(typeof emailPropsSchemas)[T]>;

/**
 * One member per template, `{ template: <name>, props, ...extra }`, discriminated on `template`.
 * "strict" (what a producer may send) also refuses keys nobody declared, so one template's props
 * under another template's name fail; "strip" (what a worker accepts) drops keys a newer producer
 * added, so payloads can evolve additively.
 */
export function emailUnion<E extends z.ZodRawShape>(extra: E, mode: "strict" | "strip") {
  // The props schema is passed with its own type (not looked up by a generic name) so each member keeps its template's props.
  const member = <T extends EmailTemplateName, S extends z.ZodRawShape>(template: T, props: z.ZodObject<S>) =>
    mode === "strict"
      ? z.strictObject({ template: z.literal(template), props: z.strictObject(props.shape), ...extra })
      : z.object({ template: z.literal(template), props, ...extra });
  return z.discriminatedUnion("template", [
    member("booking_reminder_client", emailPropsSchemas.booking_reminder_client),
    member("booking_reminder_creator", emailPropsSchemas.booking_reminder_creator),
    member("booking_confirmation", emailPropsSchemas.booking_confirmation),
    member("booking_cancelled", emailPropsSchemas.booking_cancelled),
    member("creator_new_booking", emailPropsSchemas.creator_new_booking),
    member("payment_received", emailPropsSchemas.payment_received),
  ]);
}

/** `{ template, props }` for any template as a worker accepts it (unknown props ignored). */
export const emailPayloadSchema = emailUnion({}, "strip");
/** `{ template, props }` as a producer may send it: exactly the template's props, nothing else. */
export const emailPayloadInputSchema = emailUnion({}, "strict");

/** An email to render: a template name and its props. */
export type EmailPayload = z.output<typeof emailPayloadSchema>;
/** What a producer may pass (before parsing). */
export type EmailPayloadInput = z.input<typeof emailPayloadInputSchema>;
