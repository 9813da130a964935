import { Redis } from "ioredis";
import { ValidationError } from "@callastar/errors";
import { jobIds } from "@callastar/queues";
import { outboxRow, outboxStatement, preparedJobOf } from "./outbox";
import { prepareJob } from "./prepare";
import { Producer } from "./producer";

const email = {
  template: "payment_received" as const,
  props: { recipientName: "  Ana ", amount: 5000, currency: "eur" },
  to: "ana@example.com",
  bookingId: "bk_1",
  idempotencyKey: "payment_received:pay_1",
};
const calls = [
  ["enqueueEmail", email],
  ["scheduleBookingReminder", { bookingId: "bk_1", callDateTime: "2031-05-01T10:00:00+02:00" }],
  ["enqueueRoomDeletion", { bookingId: "bk_1", roomName: "room_1" }],
  ["enqueuePayout", { payoutId: "po_1" }],
] as const;

describe("outboxRow", () => {
  it.each(calls)("%s: the row's job id and re-prepared job are the producer's", (kind, input) => {
    const row = outboxRow(kind, input as never);
    const direct = (prepareJob[kind] as (i: unknown) => unknown)(input);
    expect(row.jobId).toBe((direct as { jobId: string }).jobId);
    // What the relay reads back (JSON from jsonb) prepares the same job again.
    expect(preparedJobOf({ kind, input: JSON.parse(JSON.stringify(row.input)) })).toEqual(direct);
    expect(row.id).toMatch(/^c[0-9a-z]{24}$/);
  });

  it("keeps the email's idempotency key on the row and derives the producer's job id from it", () => {
    const row = outboxRow("enqueueEmail", email);
    expect(row.idempotencyKey).toBe("payment_received:pay_1");
    expect(row.jobId).toBe(jobIds.email("payment_received:pay_1"));
    expect(row.input).toMatchObject({ props: { recipientName: "Ana" } });
  });

  it.each([
    ["enqueueEmail", { ...email, to: "not-an-email" }],
    ["enqueueEmail", { ...email, props: { recipientName: "Ana" } }],
    ["scheduleBookingReminder", { bookingId: "bk 1", callDateTime: "tomorrow" }],
    ["enqueueRoomDeletion", { bookingId: "bk_1", roomName: "room/1" }],
    ["enqueuePayout", { payoutId: "" }],
  ] as const)("%s: refuses what the producer refuses, with the same error", async (kind, input) => {
    const redis = new Redis({ lazyConnect: true });
    const producer = new Producer({ connection: redis });
    const viaProducer = await (producer[kind] as (i: unknown) => Promise<string>).call(producer, input).catch((e: unknown) => e);
    const viaOutbox = (() => {
      try {
        outboxRow(kind, input as never);
      } catch (e) {
        return e;
      }
    })();
    expect(viaProducer).toBeInstanceOf(ValidationError);
    expect(viaOutbox).toBeInstanceOf(ValidationError);
    expect((viaOutbox as Error).message).toBe((viaProducer as Error).message);
    redis.disconnect();
  });

  it("refuses an unknown kind by name", () => {
    expect(() => outboxRow("sendSms" as never, {} as never)).toThrow(/unknown outbox kind "sendSms"/);
  });
});

describe("outboxStatement", () => {
  it("numbers every row's placeholders and binds the input as text cast to jsonb", () => {
    const rows = [outboxRow("enqueuePayout", { payoutId: "a" }), outboxRow("enqueuePayout", { payoutId: "b" })];
    const { text, values } = outboxStatement(rows);
    expect(text).toContain('INSERT INTO "JobOutbox" ("id", "kind", "input", "jobId", "idempotencyKey", "createdAt")');
    expect(text).toContain("($6, $7, $8::text::jsonb, $9, $10, CURRENT_TIMESTAMP AT TIME ZONE 'UTC')");
    expect(values).toHaveLength(10);
    expect(values[7]).toBe('{"payoutId":"b"}');
  });
});
