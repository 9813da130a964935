// Type-checked (tsc, module node16) against the installed declarations, as an ES module.
import { createProducer, type EmailInput, type EmailProps, type OutboxRow } from "@callastar/producer";
import { enqueueInDrizzleTransaction } from "@callastar/producer/drizzle";
import { logEmailSent, type LogStats } from "@callastar/audit-log";

const jobs = createProducer({ connection: "redis://127.0.0.1:6379" });
const props: EmailProps<"payment_received"> = { recipientName: "Ana", amount: 5000, currency: "EUR" };
const input: EmailInput = { template: "payment_received", props, to: "ana@example.com", idempotencyKey: "k" };
export const calls: [Promise<string>, Promise<void>, typeof enqueueInDrizzleTransaction] = [jobs.enqueueEmail(input), logEmailSent("b", "u", "t"), enqueueInDrizzleTransaction];
export type Stats = LogStats;
export type Row = OutboxRow;
// @ts-expect-error one template's props under another template's name is a type error too
export const wrong: EmailInput = { template: "booking_confirmation", props, to: "ana@example.com", idempotencyKey: "k" };
