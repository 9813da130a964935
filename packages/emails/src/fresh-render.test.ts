import { render as stockRender } from "@react-email/render";
import type { ReactElement } from "react";
import { renderFresh } from "./fresh-render";
import { emailPayloadSchema, type EmailProps, type EmailTemplateName } from "@callastar/email-schemas";
import { emailTemplates } from "./templates/registry";
import { arbitraryPayloads } from "./testing/arbitrary-payloads";

// renderFresh goes through @react-email/render's edge build (no AsyncLocalStorage, see
// fresh-render.ts); its HTML must be byte for byte what the package's own (node) render makes.
it("renders exactly what @react-email/render's node build renders, over 120 generated payloads", async () => {
  for (const payload of arbitraryPayloads(11, 120)) {
    const { template, props } = emailPayloadSchema.parse(payload);
    // The union of templates is checked by the parse; TypeScript cannot correlate it with props.
    const definition = emailTemplates[template] as unknown as { element(p: EmailProps<EmailTemplateName>): ReactElement };
    const element = definition.element(props);
    const [ours, stock] = await Promise.all([renderFresh(element), stockRender(element)]);
    expect(ours.html).toBe(stock);
  }
});
