import { ValidationError } from "@callastar/errors";
import { renderCached } from "./cache/render-cache";
import { renderFresh } from "./fresh-render";
import { emailPayloadSchema, type EmailPayload, type EmailProps, type EmailTemplateName } from "@callastar/email-schemas";
import { emailTemplates } from "./templates/registry";

/** A rendered email, ready for a transport. */
export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

/** How renderEmail renders. */
export interface RenderEmailOptions {
  /**
   * false: render afresh with React and html-to-text (~5 ms), bypassing the render cache. The output
   * is the same; this is the reference the cache is tested against.
   */
  cache?: boolean;
}

async function renderTemplate<K extends EmailTemplateName>(template: K, props: EmailProps<K>, useCache: boolean): Promise<RenderedEmail> {
  const definition = emailTemplates[template];
  const subject = definition.subject(props);
  // The cache fills a once-per-shape render with this email's strings (see cache/render-cache.ts);
  // it declines (null) the rare values only React itself reproduces exactly.
  const cached = useCache ? await renderCached(template, definition.Component, definition.view(props)) : null;
  const body = cached ?? (await renderFresh(definition.element(props)));
  return { subject, html: body.html, text: body.text };
}

/**
 * Validates a payload against its template's schema, then renders subject, HTML and plain text.
 * Throws a ValidationError naming each bad field (e.g. `props.timeZone`) — job data is re-checked
 * here because it may have been enqueued by an older producer.
 */
export async function renderEmail(payload: EmailPayload, options: RenderEmailOptions = {}): Promise<RenderedEmail> {
  const parsed = emailPayloadSchema.safeParse(payload);
  if (!parsed.success) {
    const template = (payload as { template?: unknown } | null)?.template;
    const subject = typeof template === "string" ? `${template} email` : "email payload";
    const issues = parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join("."), message: issue.message }));
    throw new ValidationError(subject, issues, { cause: parsed.error });
  }
  // The union is checked above; TypeScript cannot correlate `template` with `props` across it.
  const { template, props } = parsed.data;
  return renderTemplate(template, props as EmailProps<typeof template>, options.cache !== false);
}
