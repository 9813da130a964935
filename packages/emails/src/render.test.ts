import { ValidationError } from "@callastar/errors";
import { renderEmail } from "./render";
import type { EmailPayload } from "@callastar/email-schemas";

const bookingUrl = "https://callastar.com/bookings/clx123456";
const base = { callDateTime: "2025-01-15T14:30:00Z", timeZone: "Europe/Paris", bookingUrl };

const payloads: Record<EmailPayload["template"], EmailPayload> = {
  booking_reminder_client: { template: "booking_reminder_client", props: { ...base, recipientName: "John Doe", creatorName: "Jane Creator", callTitle: "Q&A session" } },
  booking_reminder_creator: { template: "booking_reminder_creator", props: { ...base, recipientName: "Jane Creator", clientName: "John Doe" } },
  booking_confirmation: {
    template: "booking_confirmation",
    props: { ...base, recipientName: "John Doe", creatorName: "Jane Creator", callTitle: "Q&A session", amount: 4900, currency: "EUR" },
  },
  booking_cancelled: {
    template: "booking_cancelled",
    props: { ...base, recipientName: "John Doe", otherPartyName: "Jane Creator", callTitle: "Q&A session", reason: "The creator is ill" },
  },
  creator_new_booking: {
    template: "creator_new_booking",
    props: { ...base, recipientName: "Jane Creator", clientName: "John Doe", callTitle: "Q&A session", amount: 1999, currency: "usd" },
  },
  payment_received: { template: "payment_received", props: { recipientName: "John Doe", amount: 5000, currency: "JPY", callTitle: "Q&A session", bookingUrl } },
};

const subjects: Record<EmailPayload["template"], string> = {
  booking_reminder_client: "🕒 Reminder: Your call is starting soon!",
  booking_reminder_creator: "🕒 Reminder: Your call is starting soon!",
  booking_confirmation: "✅ Booking confirmed: Q&A session with Jane Creator",
  booking_cancelled: "Booking cancelled: Q&A session",
  creator_new_booking: "🎉 New booking: John Doe booked Q&A session",
  payment_received: "Payment received: ¥5,000",
};

describe.each(Object.values(payloads))("$template", (payload) => {
  it("renders its subject, branded HTML and a plain-text version with the booking link", async () => {
    const email = await renderEmail(payload);
    expect(email.subject).toBe(subjects[payload.template]);
    expect(email.html).toMatch(/^<!DOCTYPE html/);
    expect(email.html).toContain("Call a Star");
    expect(email.html).toContain(`href="${bookingUrl}"`);
    expect(email.text).toContain(bookingUrl);
    expect(email.text).not.toMatch(/<[a-z]/i);
    expect(email.html).not.toMatch(/daily\.co/i);
  });
});

describe("booking reminder", () => {
  it("shows the call in the recipient's zone: 3:30 PM in Paris", async () => {
    const email = await renderEmail(payloads.booking_reminder_client);
    expect(email.html).toContain("Hi John Doe,");
    expect(email.html).toContain("Jane Creator");
    expect(email.html).toContain("Wednesday, January 15, 2025");
    expect(email.html).toContain("3:30 PM (GMT+1)");
    expect(email.html).toContain("Central European Standard Time (Europe/Paris)");
    expect(email.text).toContain("3:30 PM (GMT+1)");
    expect(email.text).toContain("Go to my booking");
  });

  it("shows the same call as 9:30 AM for a creator in New York", async () => {
    const payload = { ...payloads.booking_reminder_creator, props: { ...payloads.booking_reminder_creator.props, timeZone: "America/New_York" } } as EmailPayload;
    const email = await renderEmail(payload);
    expect(email.html).toContain("9:30 AM (EST)");
    expect(email.html).toContain("Eastern Standard Time (America/New_York)");
    expect(email.html).not.toContain("3:30 PM");
  });

  it("leaves the call title out when there is none", async () => {
    expect((await renderEmail(payloads.booking_reminder_client)).text).toMatch(/^Call\n+Q&A session$/m);
    expect((await renderEmail(payloads.booking_reminder_creator)).text).not.toMatch(/^Call$/m);
  });
});

it("formats amounts from minor units", async () => {
  expect((await renderEmail(payloads.booking_confirmation)).html).toContain("€49.00");
  expect((await renderEmail(payloads.creator_new_booking)).html).toContain("$19.99");
});

it("shows the cancellation reason, and no button without a booking URL", async () => {
  const withUrl = await renderEmail(payloads.booking_cancelled);
  expect(withUrl.html).toContain("The creator is ill");
  const { bookingUrl: _omit, ...props } = payloads.booking_cancelled.props as { bookingUrl?: string } & Record<string, unknown>;
  const without = await renderEmail({ template: "booking_cancelled", props } as EmailPayload);
  expect(without.html).not.toContain("<a ");
});

it("escapes names instead of injecting HTML", async () => {
  const payload = { ...payloads.booking_reminder_client, props: { ...payloads.booking_reminder_client.props, creatorName: "<script>x</script>" } } as EmailPayload;
  const email = await renderEmail(payload);
  expect(email.html).not.toContain("<script>");
  expect(email.html).toContain("&lt;script&gt;");
});

describe("invalid props", () => {
  it("throws a ValidationError naming the field", async () => {
    const payload = { template: "booking_reminder_client", props: { ...payloads.booking_reminder_client.props, bookingUrl: "https://cs.daily.co/room-1" } } as EmailPayload;
    const error = await renderEmail(payload).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.path)).toEqual(["props.bookingUrl"]);
    expect((error as ValidationError).message).toMatch(/^Invalid booking_reminder_client email: props\.bookingUrl: /);
    expect((error as ValidationError).retryable).toBe(false);
  });

  it("names every missing field", async () => {
    const error = (await renderEmail({ template: "payment_received", props: {} } as unknown as EmailPayload).catch((e: unknown) => e)) as ValidationError;
    expect(error.issues.map((i) => i.path).sort()).toEqual(["props.amount", "props.currency", "props.recipientName"]);
  });

  it("refuses an unknown template", async () => {
    const error = (await renderEmail({ template: "spam", props: {} } as unknown as EmailPayload).catch((e: unknown) => e)) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues[0]?.path).toBe("template");
  });
});
