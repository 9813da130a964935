// The schemas live in @callastar/email-schemas (zod only); re-exported for the workers' convenience.
export { EMAIL_TEMPLATES, emailPayloadSchema, type EmailPayload, type EmailProps, type EmailTemplateName } from "@callastar/email-schemas";
export { renderEmail, type RenderedEmail, type RenderEmailOptions } from "./render";
export { formatAmount, formatCallTime, EMAIL_LOCALE, type FormattedCallTime } from "./format";
export { emailTemplates, type EmailTemplate } from "./templates/registry";
export type { EmailView } from "./templates/view";
export { REMINDER_SUBJECT } from "./templates/booking-reminder-client";
export { BRAND_NAME } from "./templates/layout";
export type { BatchOptions, BatchResult, EncodedBatch, MailMessage, MailTransport, ProviderRate, SendOptions } from "./transports/types";
export { createResendTransport, MAX_BATCH_SIZE, RESEND_API_URL, type ResendTransportOptions } from "./transports/resend";
export { classifyResendError, DEFAULT_RETRY_AFTER_MS, providerRate, type ResendSdkError } from "./transports/resend-errors";
export { createConsoleTransport, type ConsoleEmailRecord, type ConsoleTransportOptions } from "./transports/console";
