import { and, eq, sql } from "drizzle-orm";
import { emailDelivery, log, pendingEmail } from "@callastar/db";
import { createAuditLogger, auditRows as rowBuilders, type AuditLogger } from "@callastar/audit-log";
import { sendsAlone, type MailTransport } from "@callastar/emails";
import { createTestDatabase, type TestDatabase } from "@callastar/testing";
import { recordDeliveries } from "./delivery-statement";
import { failureNote } from "./email-failure";
import { createMailer, type Delivery } from "./mailer";
import { noPacing } from "./send-pacer";
import { insertAuditRowsOnce } from "./audit-once";
import { ADHOC_PRIORITY } from "./pending-emails";

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

describe("ad-hoc emails (send-email jobs)", () => {
  const pending = (key: string) => t.db.select().from(pendingEmail).where(eq(pendingEmail.idempotencyKey, key));

  it("are queued for the batch sender under their own key, once: a retried or duplicated job queues nothing twice and sends nothing", async () => {
    expect(await mailer().adhoc(delivery("k-adhoc"))).toEqual({ status: "queued" });
    expect(await mailer().adhoc(delivery("k-adhoc"))).toEqual({ status: "already_queued" });
    const [row] = await pending("k-adhoc");
    expect(row).toMatchObject({ priority: ADHOC_PRIORITY, emailType: "payment_received", recipientEmail: "star@example.com", bookingId: "b1", batchId: null });
    expect(JSON.parse(row!.message)).toMatchObject({ from: "x@y.z", to: "star@example.com" });
    expect(sent).not.toContain("k-adhoc");
  });

  it("already delivered (by any path): already_sent, nothing queued", async () => {
    await recordDelivery("k-adhoc-done");
    expect(await mailer().adhoc(delivery("k-adhoc-done"))).toEqual({ status: "already_sent", id: "msg-k-adhoc-done" });
    expect(await pending("k-adhoc-done")).toHaveLength(0);
  });

  it("refused by Resend in a batch earlier (its email-failed:<key> row): refused with the reason, not queued again", async () => {
    const row = { ...rowBuilders.logEmailError("b1", "u1", "payment_received", new Error("Resend refused the email: invalid `to`"), { final: true }), id: "email-failed:k-refused" };
    await insertAuditRowsOnce(t.sql, [row]);
    expect(await mailer().adhoc(delivery("k-refused"))).toEqual({ status: "refused", reason: expect.stringMatching(/invalid `to`/) });
    expect(await pending("k-refused")).toHaveLength(0);
  });

  it("an email the batch endpoint cannot carry (an attachment, a scheduled send) is sent alone and recorded, not queued", async () => {
    const m = await mailer().message(delivery("k-attached"));
    const attached = { ...m, attachments: [{ filename: "receipt.pdf", content: Buffer.from("%PDF-1.7").toString("base64") }] };
    expect(sendsAlone(attached)).toBe("attachments");
    expect(sendsAlone({ ...m, scheduledAt: "2030-01-01T09:00:00Z" })).toBe("scheduled_at");
    expect(sendsAlone(m)).toBeNull();
    expect(await mailer().queueOrSend(delivery("k-attached"), attached)).toEqual({ status: "sent", id: "msg-k-attached" });
    expect(sent).toContain("k-attached");
    expect(await pending("k-attached")).toHaveLength(0);
    expect(await rowById("k-attached")).toBeDefined();
  });
});
