import { ValidationError } from "@callastar/errors";
import { render, toPlainText } from "@react-email/render";
import { emailPayloadSchema, type EmailPayload, type EmailProps, type EmailTemplateName } from "./schemas";
import { emailTemplates } from "./templates/registry";

/** A rendered email, ready for a transport. */
export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

async function renderTemplate<K extends EmailTemplateName>(template: K, props: EmailProps<K>): Promise<RenderedEmail> {
  const definition = emailTemplates[template];
  const element = definition.element(props);
  // One React render; the plain text is derived from its HTML (what render(…, { plainText }) does
  // after rendering the tree a second time).
  const html = await render(element);
  const text = toPlainText(html);
  return { subject: definition.subject(props), html, text };
}

/**
 * Validates a payload against its template's schema, then renders subject, HTML and plain text.
 * Throws a ValidationError naming each bad field (e.g. `props.timeZone`) — job data is re-checked
 * here because it may have been enqueued by an older producer.
 */
export async function renderEmail(payload: EmailPayload): Promise<RenderedEmail> {
  const parsed = emailPayloadSchema.safeParse(payload as unknown);
  if (!parsed.success) {
    const template = (payload as { template?: unknown } | null)?.template;
    const subject = typeof template === "string" ? `${template} email` : "email payload";
    const issues = parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join("."), message: issue.message }));
    throw new ValidationError(subject, issues, { cause: parsed.error });
  }
  // The union is checked above; TypeScript cannot correlate `template` with `props` across it.
  const { template, props } = parsed.data;
  return renderTemplate(template, props as EmailProps<typeof template>);
}
