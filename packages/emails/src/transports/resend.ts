import { PermanentError, TransientError } from "@callastar/errors";
import { z } from "zod";
import { classifyResendError } from "./resend-errors";
import { NodeHttpResend } from "./resend-node-http";
import type { MailMessage, MailTransport, SendOptions } from "./types";

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

/** A transport that sends through the official `resend` SDK, with idempotency keys and classified errors. */
export function createResendTransport(options: ResendTransportOptions): MailTransport {
  // An empty key would make the SDK read RESEND_API_KEY from the environment behind our back.
  if (!options.apiKey) throw new TypeError("createResendTransport needs a non-empty apiKey");
  const timeoutMs = options.timeoutMs ?? 10_000;
  const client = new NodeHttpResend(options.apiKey, { baseUrl: (options.baseUrl ?? RESEND_API_URL).replace(/\/+$/, "") });

  return {
    name: "resend",
    close: () => client.close(),
    async send(message: MailMessage, sendOptions: SendOptions): Promise<{ id: string }> {
      const key = sendOptions.idempotencyKey;
      if (!key || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
        throw new PermanentError(`Resend idempotency keys must be 1-${MAX_IDEMPOTENCY_KEY_LENGTH} characters`, {
          code: "invalid_idempotency_key",
        });
      }
      const signal = AbortSignal.timeout(timeoutMs);
      let result: Awaited<ReturnType<typeof client.emails.send>>;
      try {
        result = await client.emails.send(
          {
            from: message.from,
            to: message.to,
            subject: message.subject,
            html: message.html,
            text: message.text,
            ...(message.replyTo !== undefined && { replyTo: message.replyTo }),
            ...(message.tags !== undefined && { tags: message.tags }),
          },
          { idempotencyKey: key, signal },
        );
      } catch (error) {
        // The SDK swallows most failures, but rethrows an abort that lands while it reads an error body.
        const reason = signal.aborted ? `Resend did not answer within ${timeoutMs} ms` : "Resend request failed";
        throw new TransientError(reason, { cause: error, code: signal.aborted ? "timeout" : "network_error" });
      }
      if (result.error) {
        throw classifyResendError(result.error, result.headers, { timedOut: signal.aborted, timeoutMs });
      }
      const parsed = sendResponseSchema.safeParse(result.data);
      if (!parsed.success) {
        throw new TransientError("Resend answered without an email id", { cause: parsed.error, code: "invalid_response" });
      }
      return { id: parsed.data.id };
    },
  };
}
