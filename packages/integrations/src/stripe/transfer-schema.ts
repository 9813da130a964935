import { TransientError } from "@callastar/errors";
import { z } from "zod";

/** The transfer fields we rely on, checked even though the SDK already decoded the JSON. */
const transferSchema = z.object({
  id: z.string().startsWith("tr_"),
  amount: z.number().int(),
  currency: z.string().length(3),
  // Unexpanded, destination is the account id.
  destination: z.string().startsWith("acct_"),
  transfer_group: z.string().nullable(),
  metadata: z.record(z.string(), z.string()),
  created: z.number(),
});

/** A Stripe transfer paying one payout. */
export interface PayoutTransfer {
  id: string;
  amount: number;
  currency: string;
  destination: string;
  transferGroup: string | null;
  metadata: Record<string, string>;
  created: Date;
}

/** Parses a transfer from Stripe; a malformed one is Stripe misbehaving, hence transient. */
export function parseTransfer(operation: string, value: unknown): PayoutTransfer {
  const result = transferSchema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`).join("; ");
    throw new TransientError(`Stripe ${operation} returned an unexpected transfer: ${issues}`, { cause: result.error, code: "malformed_response" });
  }
  const t = result.data;
  return {
    id: t.id,
    amount: t.amount,
    currency: t.currency,
    destination: t.destination,
    transferGroup: t.transfer_group,
    metadata: t.metadata,
    created: new Date(t.created * 1000),
  };
}
