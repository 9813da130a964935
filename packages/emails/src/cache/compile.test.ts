import { emailTemplates, type EmailTemplate } from "../templates/registry";
import type { EmailView } from "../templates/view";
import { arbitraryPayloads } from "../testing/arbitrary-payloads";
import { compileEmail } from "./compile";
import { fillEmail } from "./fill";

// Every template at every shape must be cacheable; otherwise renderEmail would silently fall back
// to the slow fresh render.
it("compiles every template at every shape the payloads produce", async () => {
  const shapes = new Map<string, { definition: EmailTemplate<unknown>; keys: string[] }>();
  for (const { template, props } of arbitraryPayloads(4, 300)) {
    // The union of templates cannot be called with the union of props: widen to one template.
    const definition = emailTemplates[template] as unknown as EmailTemplate<unknown>;
    const view = definition.view(props);
    const keys = Object.keys(view).filter((key) => view[key] !== undefined);
    shapes.set(`${template}:${keys.join(",")}`, { definition, keys });
  }
  // 2 + 2 + 1 + 4 + 1 + 4 shapes (callTitle, reason, bookingUrl optional where the schemas say so).
  expect(shapes.size).toBe(14);
  for (const [shape, { definition, keys }] of shapes) {
    const compiled = await compileEmail(definition.Component, keys);
    expect([shape, compiled === null]).toEqual([shape, false]);
  }
});

describe("fillEmail", () => {
  const keys = ["preview", "name", "url"];
  const view = (name: string): EmailView => ({ preview: `Hello ${name}`, name, url: "https://callastar.com/b/1" });
  const Component = (v: EmailView) =>
    emailTemplates.booking_reminder_client.Component({
      preview: v.preview, greeting: "Hi", intro: v.name!, creatorName: v.name!, callTitle: undefined,
      date: "d", time: "t", timeZone: "z", bookingUrl: v.url!,
    });

  it("leaves lone surrogates, empty values and non-http links to a fresh render", async () => {
    const compiled = (await compileEmail(Component, keys))!;
    expect(fillEmail(compiled, view("ok"))).not.toBeNull();
    expect(fillEmail(compiled, view("lone \ud83d"))).toBeNull();
    expect(fillEmail(compiled, { ...view("x"), name: "" })).toBeNull();
    expect(fillEmail(compiled, { ...view("x"), url: "javascript:alert(1)" })).toBeNull();
  });

  it("records the href as an attribute slot and keeps the preview out of the text", async () => {
    const compiled = (await compileEmail(Component, keys))!;
    expect([...compiled.attributeIndexes]).toEqual([2]);
    expect(compiled.textIndexes.has(compiled.previewIndex)).toBe(false);
  });
});
