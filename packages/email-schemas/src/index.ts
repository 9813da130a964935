/** @callastar/email-schemas — the email templates' names and props schemas (zod only, no React). */
export {
  isValidTimeZone,
  bookingReminderClientPropsSchema,
  bookingReminderCreatorPropsSchema,
  bookingConfirmationPropsSchema,
  bookingCancelledPropsSchema,
  creatorNewBookingPropsSchema,
  paymentReceivedPropsSchema,
  emailPropsSchemas,
  EMAIL_TEMPLATES,
  emailUnion,
  emailPayloadSchema,
  emailPayloadInputSchema,
  type EmailTemplateName,
  type EmailProps,
  type EmailPayload,
  type EmailPayloadInput,
} from "./schemas";
