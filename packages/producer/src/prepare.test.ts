import { Redis } from "ioredis";
import { ValidationError } from "@callastar/errors";
import { Producer } from "./producer";
import { prepareJob, type OutboxKind } from "./prepare";

const caught = (kind: OutboxKind, input: unknown): unknown => {
  try {
    (prepareJob[kind] as (i: unknown) => unknown)(input);
  } catch (error) {
    return error;
  }
  return undefined;
};
const kinds = Object.keys(prepareJob) as OutboxKind[];
const payment = { recipientName: "Ana", amount: 5000, currency: "EUR" };
const email = { template: "payment_received", props: payment, to: "ana@example.com", idempotencyKey: "payment_received:pay_1" };

describe("every producer call validates its input as a whole", () => {
  it.each(kinds.flatMap((kind) => [null, undefined, 42, "bk_1", []].map((input) => [kind, input] as const)))(
    "%s(%p) → a ValidationError naming the root, not a TypeError",
    (kind, input) => {
      const error = caught(kind, input);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues).toEqual([{ path: "", message: expect.stringMatching(/expected object/) }]);
      expect((error as Error).message).toMatch(/^Invalid .+: \(root\): Invalid input: expected object/);
    },
  );

  it.each([
    ["enqueueEmail", { ...email, bookingID: "bk_1" }, "bookingID"],
    ["scheduleBookingReminder", { bookingId: "bk_1", callDateTime: "2031-05-01T10:00:00Z", delay: 0 }, "delay"],
    ["enqueueRoomDeletion", { bookingId: "bk_1", roomName: "room_1", deletedBy: "cron_job" }, "deletedBy"],
    ["enqueuePayout", { payoutId: "po_1", trigger: "recovery" }, "trigger"],
  ] as const)("%s refuses a key it does not take (%j), naming it", (kind, input, key) => {
    const error = caught(kind, input) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toContain(`"${key}"`);
  });

  it("refuses one template's props under another template's name", () => {
    const confirmation = {
      recipientName: "Ana", creatorName: "Bo", callTitle: "Q&A", callDateTime: "2031-05-01T10:00:00Z", timeZone: "UTC",
      bookingUrl: "https://callastar.com/bookings/bk_1", amount: 5000, currency: "EUR",
    };
    expect(prepareJob.enqueueEmail({ ...email, template: "booking_confirmation", props: confirmation }).data.props).toEqual(confirmation);
    const error = caught("enqueueEmail", { ...email, template: "payment_received", props: confirmation }) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues).toEqual([{ path: "props", message: expect.stringMatching(/creatorName/) }]);
  });

  it("still accepts each call's own input and derives the deterministic id", () => {
    expect(prepareJob.enqueueEmail(email as never).jobId).toMatch(/^email-[0-9a-f]{40}$/);
    expect(prepareJob.scheduleBookingReminder({ bookingId: "bk_1", callDateTime: "2031-05-01T10:00:00Z" }).jobId).toBe("reminder-bk_1");
    expect(prepareJob.enqueueRoomDeletion({ bookingId: "bk_1", roomName: "room_1" }).data).toEqual({ bookingId: "bk_1", roomName: "room_1", deletedBy: "manual" });
    expect(prepareJob.enqueuePayout({ payoutId: "po_1" }).data).toEqual({ payoutId: "po_1", trigger: "manual" });
  });
});

it("the calls that do not add a job (reschedule, cancel) refuse null the same way, before touching Redis", async () => {
  const redis = new Redis({ lazyConnect: true });
  const producer = new Producer({ connection: redis });
  for (const call of [() => producer.rescheduleBookingReminder(null as never), () => producer.cancelBookingReminder(null as never)]) {
    const error = await call().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([{ path: "", message: expect.stringMatching(/expected object, received null/) }]);
  }
  expect(redis.status).toBe("wait"); // never connected
  await producer.close();
  redis.disconnect();
});
