import { PermanentError } from "@callastar/errors";
import { z } from "zod";

// The idempotency key is `payout:<id>[:<generation>]` and Stripe caps keys at 255 characters.
const payoutId = z.string().trim().min(1, "must not be empty").max(200, "must be at most 200 characters");

/** A transfer request as callers give it, checked before anything reaches Stripe. */
const createTransferInputSchema = z.object({
  payoutId,
  amount: z.number().int("must be an integer (minor units)").positive("must be positive").max(Number.MAX_SAFE_INTEGER),
  currency: z.string().regex(/^[A-Za-z]{3}$/, "must be a 3-letter ISO currency code").transform((c) => c.toLowerCase()),
  destination: z.string().regex(/^acct_[A-Za-z0-9]+$/, "must be a connected account id (acct_…)"),
  description: z.string().max(1000).optional(),
  metadata: z
    .record(z.string().min(1).max(40), z.string().max(500))
    .refine((m) => Object.keys(m).length <= 49, "at most 49 keys (payoutId is added)")
    .optional(),
  /** Bumped only after Stripe definitively refused the previous key (see payoutIdempotencyKey). */
  keyGeneration: z.number().int("must be an integer").min(0, "must be >= 0").max(1_000_000).default(0),
});

/** Input of `createTransfer`. */
export type CreateTransferInput = z.input<typeof createTransferInputSchema>;
type ParsedTransferInput = z.output<typeof createTransferInputSchema>;

/** Parses input or throws a PermanentError naming every offending field. */
export function parseTransferInput(input: CreateTransferInput): ParsedTransferInput {
  const result = createTransferInputSchema.safeParse(input);
  if (!result.success) throw invalidInput(result.error);
  const { metadata, payoutId: id } = result.data;
  if (metadata?.payoutId !== undefined && metadata.payoutId !== id) {
    throw new PermanentError(`Invalid transfer input: metadata.payoutId '${metadata.payoutId}' contradicts payoutId '${id}'`, { code: "invalid_input" });
  }
  return result.data;
}

/** Parses a payout id or throws a PermanentError. */
export function parsePayoutId(value: string): string {
  const result = payoutId.safeParse(value);
  if (!result.success) throw invalidInput(result.error, "payoutId");
  return result.data;
}

function invalidInput(error: z.ZodError, prefix?: string): PermanentError {
  const issues = error.issues.map((i) => `${[prefix, ...i.path].filter((p) => p !== undefined).join(".") || "(input)"}: ${i.message}`);
  return new PermanentError(`Invalid transfer input: ${issues.join("; ")}`, { cause: error, code: "invalid_input" });
}
