import type { ReactElement } from "react";
import { renderFresh } from "../fresh-render";
import { renderEmail } from "../render";
import { emailPayloadSchema, type EmailPayload } from "@callastar/email-schemas";
import { emailTemplates } from "../templates/registry";
import { arbitraryPayloads } from "../testing/arbitrary-payloads";

// The cache's contract: for any valid payload, the same subject, HTML and text, byte for byte, as a
// fresh React render with the same options. Seeded, so a failing payload can be replayed.
async function expectSameAsFresh(payload: EmailPayload): Promise<void> {
  const { template, props } = emailPayloadSchema.parse(payload);
  // The reference is built here, straight from the template's React tree, not through renderEmail.
  const fresh = await renderFresh((emailTemplates[template].element as (p: unknown) => ReactElement)(props));
  const cached = await renderEmail(payload);
  if (cached.html !== fresh.html || cached.text !== fresh.text) {
    // Print the payload rather than two 6 kB strings.
    throw new Error(`cached render differs from a fresh one for ${JSON.stringify(payload)}`);
  }
}

it("renders the same email with { cache: false }", async () => {
  for (const payload of arbitraryPayloads(9, 12)) {
    expect(await renderEmail(payload, { cache: false })).toEqual(await renderEmail(payload));
  }
});

describe.each([1, 2, 3])("cached render vs fresh render, seed %i", (seed) => {
  it("is identical for 150 generated payloads across every template", async () => {
    for (const payload of arbitraryPayloads(seed, 150)) await expectSameAsFresh(payload);
  });
});

const reminder = (creatorName: string, recipientName = "Ann"): EmailPayload => ({
  template: "booking_reminder_client",
  props: { recipientName, creatorName, callDateTime: "2025-03-30T00:30:00Z", timeZone: "Europe/London", bookingUrl: "https://callastar.com/b/1" },
});

it("is identical around the preview's 150-character cut, emoji split there included", async () => {
  // The preview is "Your call with " (15 characters), the name, then " starts at 12:30 AM (GMT)" (25):
  // names of 110–140 characters put the cut in the suffix, at the name's end and inside the name.
  for (let length = 110; length <= 140; length++) {
    await expectSameAsFresh(reminder("n".repeat(length)));
    await expectSameAsFresh(reminder(`${"n".repeat(length - 2)}🎉`));
    await expectSameAsFresh(reminder(`${"n".repeat(length - 1)}🎉`));
  }
});

it("is identical for every markup character and quote, in names, titles and URLs", async () => {
  const nasty = `& < > " ' &amp; &#x27; <!-- --> </p> {"x"}`;
  await expectSameAsFresh(reminder(nasty, nasty));
  await expectSameAsFresh({
    template: "payment_received",
    props: { recipientName: nasty, amount: 123, currency: "kwd", callTitle: nasty, bookingUrl: `https://callastar.com/b?q=${nasty.replace(/ /g, "")}` },
  });
});

it("keeps a value that looks like a placeholder as it is", async () => {
  const email = await renderEmail(reminder("zqx0tok0zqx", "zqx1tok1zqx"));
  expect(email.text).toContain("Hi zqx1tok1zqx,");
  await expectSameAsFresh(reminder("zqx0tok0zqx", "zqx1tok1zqx"));
});
