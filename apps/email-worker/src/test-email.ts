import type { Producer } from "@callastar/producer";
import { waitForCompleted } from "@callastar/testing";

/** Enqueues one payment_received email through `producer` (the main app's call) and waits until its job completed. */
export async function sendOneEmail(producer: Producer, idempotencyKey: string) {
  const jobId = await producer.enqueueEmail({
    template: "payment_received",
    props: { recipientName: "Ada", amount: 4200, currency: "EUR" },
    to: "ada@example.com",
    idempotencyKey,
  });
  return waitForCompleted(producer.queue("emails"), jobId);
}
