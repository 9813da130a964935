import { PermanentError, TransientError } from "@callastar/errors";
import { z } from "zod";
import type { Resend } from "resend";
import { classifyResendError, providerRate, type ResendSdkError } from "./resend-errors";
import type { BatchOptions, BatchResult, EncodedBatch, MailMessage, MailTransport, ProviderRate, SendOptions } from "./types";

/** Resend's production API; passed explicitly so the SDK never falls back to `RESEND_BASE_URL` on its own. */
export const RESEND_API_URL = "https://api.resend.com";
const MAX_IDEMPOTENCY_KEY_LENGTH = 256;

/** Options of {@link createResendTransport}. */
export interface ResendTransportOptions {
  apiKey: string;
  /** API base URL (a stand-in in tests and the demo); default https://api.resend.com. */
  baseUrl?: string;
  /** Abort a send that has not been answered after this long; default 10 000 ms. */
  timeoutMs?: number;
}

// Resend answers `{ id }`; anything else means we cannot tell what happened, which a retry with the
// same idempotency key resolves safely.
const sendResponseSchema = z.object({ id: z.string().min(1) });
const batchResponseSchema = z.object({
  data: z.array(sendResponseSchema),
  errors: z.array(z.object({ index: z.number().int().nonnegative(), message: z.string() })).optional(),
});

/** Resend's limit on emails per batch request. */
export const MAX_BATCH_SIZE = 100;

/**
 * Why Resend's batch endpoint cannot carry `message` (it refuses `attachments` and `scheduled_at`),
 * or null when it can. The one place that says which emails go alone through the single send.
 */
export function sendsAlone(message: MailMessage): string | null {
  if (message.attachments !== undefined && message.attachments.length > 0) return "attachments";
  if (message.scheduledAt !== undefined) return "scheduled_at";
  return null;
}

// Resend's API fields in the order the SDK writes them (its parseEmailToApiOptions), so an encoded
// batch is byte for byte what `resend.batch.send` would have sent.
function toApiEmail(message: MailMessage) {
  return {
    from: message.from,
    html: message.html,
    ...(message.replyTo !== undefined && { reply_to: message.replyTo }),
    subject: message.subject,
    ...(message.tags !== undefined && { tags: message.tags }),
    text: message.text,
    to: message.to,
  };
}

function checkBatchable(message: MailMessage): void {
  const reason = sendsAlone(message);
  if (reason) throw new PermanentError(`Resend's batch endpoint refuses ${reason}: send this email alone`, { code: "not_batchable" });
}

function checkBatchSize(count: number): void {
  if (!Number.isInteger(count) || count < 1 || count > MAX_BATCH_SIZE) {
    throw new PermanentError(`A Resend batch holds 1-${MAX_BATCH_SIZE} emails (got ${count})`, { code: "invalid_batch" });
  }
}

function toSdkEmail(message: MailMessage) {
  return {
    from: message.from,
    to: message.to,
    subject: message.subject,
    html: message.html,
    text: message.text,
    ...(message.replyTo !== undefined && { replyTo: message.replyTo }),
    ...(message.tags !== undefined && { tags: message.tags }),
    ...(message.attachments !== undefined && { attachments: message.attachments }),
    ...(message.scheduledAt !== undefined && { scheduledAt: message.scheduledAt }),
  };
}

/** A transport that sends through the official `resend` SDK, with idempotency keys and classified errors. */
export function createResendTransport(options: ResendTransportOptions): MailTransport {
  // An empty key would make the SDK read RESEND_API_KEY from the environment behind our back.
  if (!options.apiKey) throw new TypeError("createResendTransport needs a non-empty apiKey");
  const timeoutMs = options.timeoutMs ?? 10_000;
  // The SDK's own fetch transport: a request costs well under a millisecond of CPU against the
  // 500 ms each request has at 2 requests/s, so nothing hand-made sits under it. It loads with the
  // first request: an idle worker does not hold it.
  let client: Promise<Resend> | undefined;
  const sdk = (): Promise<Resend> =>
    (client ??= import("resend").then(({ Resend }) => new Resend(options.apiKey, { baseUrl: (options.baseUrl ?? RESEND_API_URL).replace(/\/+$/, "") })));

  function checkKey(key: string): void {
    if (!key || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
      throw new PermanentError(`Resend idempotency keys must be 1-${MAX_IDEMPOTENCY_KEY_LENGTH} characters`, {
        code: "invalid_idempotency_key",
      });
    }
  }

  // One SDK call with a deadline; its `{ data, error }` becomes data (with the rate the provider
  // reported in its ratelimit-* headers) or a classified error.
  async function call(
    request: (signal: AbortSignal) => Promise<{ data: unknown; error: ResendSdkError | null; headers: Record<string, string> | null }>,
  ): Promise<{ data: unknown; rate: ProviderRate | undefined }> {
    const signal = AbortSignal.timeout(timeoutMs);
    let result: Awaited<ReturnType<typeof request>>;
    try {
      result = await request(signal);
    } catch (error) {
      // The SDK swallows most failures, but rethrows an abort that lands while it reads an error body.
      const reason = signal.aborted ? `Resend did not answer within ${timeoutMs} ms` : "Resend request failed";
      throw new TransientError(reason, { cause: error, code: signal.aborted ? "timeout" : "network_error" });
    }
    if (result.error) throw classifyResendError(result.error, result.headers, { timedOut: signal.aborted, timeoutMs });
    return { data: result.data, rate: providerRate(result.headers) };
  }

  return {
    name: "resend",
    async send(message: MailMessage, sendOptions: SendOptions): Promise<{ id: string }> {
      checkKey(sendOptions.idempotencyKey);
      const resend = await sdk();
      const { data, rate } = await call((signal) => resend.emails.send(toSdkEmail(message), { idempotencyKey: sendOptions.idempotencyKey, signal }));
      const parsed = sendResponseSchema.safeParse(data);
      if (!parsed.success) {
        throw new TransientError("Resend answered without an email id", { cause: parsed.error, code: "invalid_response" });
      }
      return { id: parsed.data.id, ...(rate && { rate }) };
    },
    encodeBatch(messages: readonly MailMessage[]): EncodedBatch {
      checkBatchSize(messages.length);
      messages.forEach(checkBatchable);
      return { body: JSON.stringify(messages.map(toApiEmail)), count: messages.length };
    },
    async sendBatch(batch: EncodedBatch, sendOptions: BatchOptions): Promise<BatchResult> {
      checkKey(sendOptions.idempotencyKey);
      checkBatchSize(batch.count);
      // The SDK's batch.send would serialise the messages again; fetchRequest (public) sends the
      // stored body as is, with the headers the SDK's post would set.
      const resend = await sdk();
      const headers = new Headers({
        Authorization: `Bearer ${options.apiKey}`,
        "User-Agent": resend.userAgent,
        "Content-Type": "application/json",
        "Idempotency-Key": sendOptions.idempotencyKey,
        "x-batch-validation": sendOptions.permissive ? "permissive" : "strict",
      });
      const { data, rate } = await call((signal) => resend.fetchRequest("/emails/batch", { method: "POST", headers, body: batch.body, signal }));
      return { ...batchIds(data, batch.count), ...(rate && { rate }) };
    },
  };
}

// Resend lists the accepted emails' ids in order and the refused ones by index (permissive mode):
// together they must account for every email, else what was sent cannot be told.
function batchIds(data: unknown, count: number): BatchResult {
  const parsed = batchResponseSchema.safeParse(data);
  const errors = parsed.success ? (parsed.data.errors ?? []) : [];
  const refused = new Set(errors.map((e) => e.index));
  if (!parsed.success || parsed.data.data.length + refused.size !== count || errors.some((e) => e.index >= count)) {
    throw new TransientError(`Resend answered a batch of ${count} without as many email ids`, { cause: parsed.success ? undefined : parsed.error, code: "invalid_response" });
  }
  const accepted = parsed.data.data.map((d) => d.id);
  const ids = Array.from({ length: count }, (_, i) => (refused.has(i) ? null : accepted.shift()!));
  return { ids, errors };
}
