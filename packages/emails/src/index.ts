// The schemas live in @callastar/email-schemas (zod only); re-exported for the workers' convenience.
export { EMAIL_TEMPLATES, emailPayloadSchema, type EmailPayload, type EmailProps, type EmailTemplateName } from "@callastar/email-schemas";
export { formatAmount, formatCallTime, EMAIL_LOCALE, type FormattedCallTime } from "./format";
// Rendering (the templates, React Email) is `@callastar/emails/render`, apart so that a process loads
// React only when it renders an email (import it dynamically where an email is rendered).
export type { BatchOptions, BatchResult, EncodedBatch, MailMessage, MailTransport, ProviderRate, SendOptions } from "./transports/types";
export { createResendTransport, MAX_BATCH_SIZE, RESEND_API_URL, sendsAlone, type ResendTransportOptions } from "./transports/resend";
export { classifyResendError, DEFAULT_RETRY_AFTER_MS, providerRate, type ResendSdkError } from "./transports/resend-errors";
export { createConsoleTransport, type ConsoleEmailRecord, type ConsoleTransportOptions } from "./transports/console";
