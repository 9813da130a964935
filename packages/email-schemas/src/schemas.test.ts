import { EMAIL_TEMPLATES, emailPayloadInputSchema, emailPayloadSchema, emailPropsSchemas, isValidTimeZone } from "./schemas";

const reminder = {
  recipientName: "John Doe",
  creatorName: "Jane Creator",
  callDateTime: "2025-01-15T14:30:00Z",
  timeZone: "Europe/Paris",
  bookingUrl: "https://callastar.com/bookings/clx123456",
};

function issuePaths(input: unknown): string[] {
  const result = emailPayloadSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((issue) => issue.path.join("."));
}

it("lists every template, each with a schema", () => {
  expect(EMAIL_TEMPLATES).toEqual([
    "booking_reminder_client",
    "booking_reminder_creator",
    "booking_confirmation",
    "booking_cancelled",
    "creator_new_booking",
    "payment_received",
  ]);
  for (const name of EMAIL_TEMPLATES) expect(emailPropsSchemas[name]).toBeDefined();
});

it("accepts a reminder and tolerates fields it does not know (payloads evolve additively)", () => {
  const parsed = emailPayloadSchema.parse({ template: "booking_reminder_client", props: { ...reminder, futureField: 1 } });
  expect(parsed).toEqual({ template: "booking_reminder_client", props: reminder });
});

it.each([
  ["a Daily room link", { bookingUrl: "https://callastar.daily.co/abc" }, "props.bookingUrl"],
  ["daily.co itself", { bookingUrl: "https://daily.co/room" }, "props.bookingUrl"],
  ["a non-http URL", { bookingUrl: "javascript:alert(1)" }, "props.bookingUrl"],
  ["an unknown time zone", { timeZone: "Mars/Olympus" }, "props.timeZone"],
  ["a date without offset", { callDateTime: "2025-01-15T14:30:00" }, "props.callDateTime"],
  ["a date that is not a date", { callDateTime: "tomorrow" }, "props.callDateTime"],
  ["an empty name", { recipientName: "  " }, "props.recipientName"],
])("refuses %s, naming the field", (_label, change, path) => {
  expect(issuePaths({ template: "booking_reminder_client", props: { ...reminder, ...change } })).toEqual([path]);
});

it("accepts an offset date-time", () => {
  expect(issuePaths({ template: "booking_reminder_client", props: { ...reminder, callDateTime: "2025-01-15T15:30:00+01:00" } })).toEqual([]);
});

it("refuses an unknown template by its discriminator", () => {
  expect(issuePaths({ template: "newsletter", props: {} })).toEqual(["template"]);
});

it("checks amounts as integer minor units and currencies as 3-letter codes", () => {
  const confirmation = { ...reminder, callTitle: "Q&A", amount: 4900, currency: "EUR" };
  expect(issuePaths({ template: "booking_confirmation", props: confirmation })).toEqual([]);
  expect(issuePaths({ template: "booking_confirmation", props: { ...confirmation, amount: 49.5 } })).toEqual(["props.amount"]);
  expect(issuePaths({ template: "booking_confirmation", props: { ...confirmation, amount: -1 } })).toEqual(["props.amount"]);
  expect(issuePaths({ template: "booking_confirmation", props: { ...confirmation, currency: "EURO" } })).toEqual(["props.currency"]);
  expect(issuePaths({ template: "booking_confirmation", props: { ...confirmation, callTitle: undefined } })).toEqual(["props.callTitle"]);
});

it("validates time zones with Intl", () => {
  expect(isValidTimeZone("America/New_York")).toBe(true);
  expect(isValidTimeZone("UTC")).toBe(true);
  expect(isValidTimeZone("Europe/Pariss")).toBe(false);
});

describe("emailPayloadInputSchema (what a producer may send)", () => {
  const inputIssues = (input: unknown) => {
    const result = emailPayloadInputSchema.safeParse(input);
    return result.success ? [] : result.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message }));
  };
  const payment = { recipientName: "Ana", amount: 5000, currency: "EUR" };

  it("accepts exactly the template's props", () => {
    expect(inputIssues({ template: "payment_received", props: payment })).toEqual([]);
    expect(inputIssues({ template: "booking_reminder_client", props: reminder })).toEqual([]);
  });

  it("refuses another template's props under this template's name, naming the keys it does not take", () => {
    // A booking confirmation's props hold every payment_received prop and more: strip mode would accept them.
    const confirmation = { ...reminder, callTitle: "Q&A", amount: 4900, currency: "EUR" };
    expect(emailPayloadSchema.safeParse({ template: "payment_received", props: confirmation }).success).toBe(true);
    const issues = inputIssues({ template: "payment_received", props: confirmation });
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe("props");
    expect(issues[0]!.message).toMatch(/creatorName.*callDateTime.*timeZone/);
    // The creator's reminder under the client's name: the creator's field is refused, the client's missing one named.
    const creatorProps = { ...reminder, creatorName: undefined, clientName: "Fan" };
    expect(inputIssues({ template: "booking_reminder_client", props: creatorProps }).map((i) => i.path).sort()).toEqual(["props", "props.creatorName"]);
  });

  it.each([null, 42, "booking_confirmation", [], undefined])("refuses %p as a whole, not with a TypeError", (input) => {
    const issues = inputIssues(input);
    expect(issues).toEqual([{ path: "", message: expect.stringMatching(/expected object/) }]);
  });

  it("refuses a missing or unknown template by its discriminator", () => {
    expect(inputIssues({ props: payment }).map((i) => i.path)).toEqual(["template"]);
    expect(inputIssues({ template: "newsletter", props: payment }).map((i) => i.path)).toEqual(["template"]);
  });
});
