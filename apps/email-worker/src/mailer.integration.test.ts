import { and, eq, sql } from "drizzle-orm";
import { emailDelivery, log } from "@callastar/db";
import { createAuditLogger, type AuditLogger } from "@callastar/logger";
import type { MailTransport } from "@callastar/emails";
import { createTestDatabase, type TestDatabase } from "@callastar/testing";
import { createMailer, type Delivery } from "./mailer";

// The crash windows of a delivery, reproduced deterministically: a worker died after recording the
// delivery, either before or after its EMAIL_SENT row committed, and the retry finds the record.
let t: TestDatabase;
let logger: AuditLogger;
const sent: string[] = [];
const transport: MailTransport = {
  name: "recording",
  async send(_message, { idempotencyKey }) {
    sent.push(idempotencyKey);
    return { id: `msg-${idempotencyKey}` };
  },
};

beforeAll(async () => {
  t = await createTestDatabase();
  logger = createAuditLogger({ db: t });
});
afterAll(async () => {
  await logger.close();
  await t.drop();
});

const delivery = (key: string): Delivery => ({
  payload: { template: "payment_received", props: { recipientName: "Star", amount: 1000, currency: "EUR" } },
  to: "star@example.com",
  idempotencyKey: key,
  bookingId: "b1",
  userId: "u1",
});
const auditRows = (key: string) =>
  t.db.select().from(log).where(and(eq(log.type, "EMAIL_SENT"), sql`${log.context}->>'idempotencyKey' = ${key}`));
const mailer = () => createMailer({ db: t, logger, transport, limiter: { acquire: async () => {} }, from: "x@y.z" });
const recordDelivery = (key: string) =>
  t.db.insert(emailDelivery).values({ idempotencyKey: key, emailType: "payment_received", recipientEmail: "star@example.com", providerMessageId: `msg-${key}` });

it("died before the audit row committed: the retry writes it, once, and sends nothing", async () => {
  await recordDelivery("k-lost-row");
  expect(await mailer().deliver(delivery("k-lost-row"))).toEqual({ status: "already_sent", id: "msg-k-lost-row" });
  await logger.flush(5_000);
  const rows = await auditRows("k-lost-row");
  expect(rows).toHaveLength(1);
  expect(rows[0]!.context).toMatchObject({ recoveredAfterCrash: true, providerMessageId: "msg-k-lost-row" });
  const [d] = await t.db.select().from(emailDelivery).where(eq(emailDelivery.idempotencyKey, "k-lost-row"));
  expect(d!.loggedAt).toBeInstanceOf(Date);
  await mailer().deliver(delivery("k-lost-row"));
  await logger.flush(5_000);
  expect(await auditRows("k-lost-row")).toHaveLength(1);
  expect(sent).not.toContain("k-lost-row");
});

it("died after the audit row committed but before marking it: the retry does not write a second row", async () => {
  await recordDelivery("k-kept-row");
  await logger.logEmailSent("b1", "u1", "payment_received", { idempotencyKey: "k-kept-row" });
  await mailer().deliver(delivery("k-kept-row"));
  await logger.flush(5_000);
  expect(await auditRows("k-kept-row")).toHaveLength(1);
  expect(sent).not.toContain("k-kept-row");
});

it("a first delivery sends, records, audits and marks the row written", async () => {
  expect(await mailer().deliver(delivery("k-new"))).toEqual({ status: "sent", id: "msg-k-new" });
  expect(sent).toContain("k-new");
  expect(await auditRows("k-new")).toHaveLength(1);
  const [d] = await t.db.select().from(emailDelivery).where(eq(emailDelivery.idempotencyKey, "k-new"));
  expect(d!.loggedAt).toBeInstanceOf(Date);
});
