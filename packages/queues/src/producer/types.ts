import type { EmailPayload } from "@callastar/emails/schemas";

/** What the main app passes to `enqueueEmail`: a template with its props, and who receives it. */
export type EmailInput = EmailPayload & {
  to: string;
  bookingId?: string;
  userId?: string;
  /**
   * Required, 1–256 characters: names this one message (e.g. `payment_received:<paymentId>`,
   * `booking_confirmation:<bookingId>:<callDateTime>:client`). The same key is sent once, ever.
   */
  idempotencyKey: string;
};
