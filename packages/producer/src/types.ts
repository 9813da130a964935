import type { z } from "zod";
import type { sendEmailInput } from "@callastar/queues";

/**
 * What the main app passes to `enqueueEmail`: a template with exactly its props, who receives it,
 * and the required `idempotencyKey` (1–256 characters) naming this one message, e.g.
 * `payment_received:<paymentId>` — the same key is sent once, ever.
 */
export type EmailInput = z.input<typeof sendEmailInput>;
