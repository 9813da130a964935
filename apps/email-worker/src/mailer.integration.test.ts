import { and, eq, sql } from "drizzle-orm";
import { emailDelivery, log } from "@callastar/db";
import { createAuditLogger, auditRows as rowBuilders, type AuditLogger } from "@callastar/audit-log";
import type { MailTransport } from "@callastar/emails";
import { createTestDatabase, type TestDatabase } from "@callastar/testing";
import { recordDeliveries } from "./delivery-statement";
import { failureNote } from "./email-failure";
import { createMailer, type Delivery } from "./mailer";
import { noPacing } from "./send-pacer";

// A delivery record and its EMAIL_SENT row (id `email-sent:<key>`) commit in one statement.
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
// Every EMAIL_SENT row of the email, whatever its id.
const auditRows = (key: string) =>
  t.db.select().from(log).where(and(eq(log.type, "EMAIL_SENT"), sql`${log.context}->>'idempotencyKey' = ${key}`));
const rowById = async (key: string) => (await t.db.select().from(log).where(eq(log.id, `email-sent:${key}`)))[0];
const mailer = () => createMailer({ db: t, transport, pacer: noPacing, from: "x@y.z" });
const recordDelivery = (key: string) =>
  t.db.insert(emailDelivery).values({ idempotencyKey: key, emailType: "payment_received", recipientEmail: "star@example.com", providerMessageId: `msg-${key}` });
const record = (key: string) => ({
  idempotencyKey: key,
  emailType: "payment_received",
  bookingId: "b1",
  userId: "u1",
  recipientEmail: "star@example.com",
  providerMessageId: `msg-${key}`,
});

it("a delivery already recorded answers already_sent with its message id, and sends and writes nothing", async () => {
  await recordDelivery("k-recorded");
  expect(await mailer().deliver(delivery("k-recorded"))).toEqual({ status: "already_sent", id: "msg-k-recorded" });
  expect(sent).not.toContain("k-recorded");
  expect(await auditRows("k-recorded")).toHaveLength(0);
});

it("a first delivery sends, then records it and its audit row (id email-sent:<key>) together", async () => {
  expect(await mailer().deliver(delivery("k-new"))).toEqual({ status: "sent", id: "msg-k-new" });
  expect(sent).toContain("k-new");
  expect(await auditRows("k-new")).toHaveLength(1);
  expect((await rowById("k-new"))?.context).toMatchObject({ idempotencyKey: "k-new", providerMessageId: "msg-k-new", bookingId: "b1" });
  const [d] = await t.db.select().from(emailDelivery).where(eq(emailDelivery.idempotencyKey, "k-new"));
  expect(d!.loggedAt).toBeInstanceOf(Date);
});

it("a record that fails leaves neither the delivery nor its audit row, writes no error row itself; the retry records both once", async () => {
  await t.sql.unsafe(`
    CREATE FUNCTION refuse_k_fail() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF NEW."idempotencyKey" = 'k-fail' THEN RAISE EXCEPTION 'disk full (simulated)'; END IF; RETURN NEW; END $$;
    CREATE TRIGGER refuse_k_fail BEFORE INSERT ON "EmailDelivery" FOR EACH ROW EXECUTE FUNCTION refuse_k_fail();`);
  try {
    const error = await mailer().deliver(delivery("k-fail")).catch((e: unknown) => e);
    expect(String(error)).toMatch(/disk full/);
    expect(failureNote(error)).toMatchObject({ stage: "record", emails: [expect.objectContaining({ idempotencyKey: "k-fail" })] });
    expect(await auditRows("k-fail")).toHaveLength(0);
    expect(await t.db.select().from(emailDelivery).where(eq(emailDelivery.idempotencyKey, "k-fail"))).toHaveLength(0);
    await logger.flush(5_000);
    // The job handler writes the attempt's one error row (see handlers/send-email.integration.test.ts).
    expect(await t.db.select().from(log).where(and(eq(log.type, "EMAIL_ERROR"), sql`${log.context}->>'idempotencyKey' = 'k-fail'`))).toHaveLength(0);
  } finally {
    await t.sql.unsafe(`DROP TRIGGER refuse_k_fail ON "EmailDelivery"; DROP FUNCTION refuse_k_fail();`);
  }
  expect(await mailer().deliver(delivery("k-fail"))).toEqual({ status: "sent", id: "msg-k-fail" });
  expect(sent.filter((k) => k === "k-fail")).toHaveLength(2); // Resend answers the second from its idempotency cache
  expect(await auditRows("k-fail")).toHaveLength(1);
});

it("a delivery another copy recorded first keeps that copy's audit row only", async () => {
  const row = () => ({ ...rowBuilders.logEmailSent("b1", "u1", "payment_received", { idempotencyKey: "k-race" }), id: "email-sent:k-race" });
  expect(await recordDeliveries(t.sql, [{ record: record("k-race"), auditRow: row() }])).toBe(1);
  expect(await recordDeliveries(t.sql, [{ record: record("k-race"), auditRow: row() }])).toBe(0);
  expect(await auditRows("k-race")).toHaveLength(1);
});

it("pairs a delivery with its row by the row's id: a context without the idempotency key (redacted, say) still gets its row", async () => {
  const redacted = { ...rowBuilders.logEmailSent("b1", "u1", "payment_received", { note: "key redacted" }), id: "email-sent:k-redacted" };
  expect(await recordDeliveries(t.sql, [{ record: record("k-redacted"), auditRow: redacted }])).toBe(1);
  expect(await rowById("k-redacted")).toBeDefined();
});

it("a row id already taken (a repaired row, say) is skipped instead of failing the record", async () => {
  const row = () => ({ ...rowBuilders.logEmailSent("b1", "u1", "payment_received", { idempotencyKey: "k-taken" }), id: "email-sent:k-taken" });
  await t.sql.unsafe(`INSERT INTO "Log" ("id", "type", "status", "message", "createdAt") VALUES ('email-sent:k-taken', 'EMAIL_SENT', 'SUCCESS', 'repaired', now())`);
  expect(await recordDeliveries(t.sql, [{ record: record("k-taken"), auditRow: row() }])).toBe(0);
  expect(await t.db.select().from(emailDelivery).where(eq(emailDelivery.idempotencyKey, "k-taken"))).toHaveLength(1);
  expect(await t.db.select().from(log).where(eq(log.id, "email-sent:k-taken"))).toHaveLength(1);
});
