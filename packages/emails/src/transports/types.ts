/** One email ready to hand to a transport. */
export interface MailMessage {
  from: string;
  to: string | string[];
  subject: string;
  html: string;
  text: string;
  replyTo?: string | string[];
  /** Resend tags: ASCII letters, digits, `_` and `-` only. */
  tags?: Array<{ name: string; value: string }>;
  /** Files sent with the email (base64 content). Resend's batch endpoint refuses them: see `sendsAlone`. */
  attachments?: Array<{ filename: string; content: string; contentType?: string }>;
  /** ISO time or natural language Resend sends the email at. Not batchable either. */
  scheduledAt?: string;
}

/** Per-send options; the key makes a retried send deliver once. */
export interface SendOptions {
  /** Derived from the entity (e.g. `reminder:<bookingId>:client`), 1–256 characters. */
  idempotencyKey: string;
}

/** Options of a batch send. */
export interface BatchOptions extends SendOptions {
  /** Resend's `x-batch-validation: permissive`: invalid emails are listed instead of refusing the batch. */
  permissive?: boolean;
}

/** A batch request's body, encoded once: stored with the batch and sent verbatim by every attempt. */
export interface EncodedBatch {
  /** The JSON body, exactly the bytes the request carries. */
  body: string;
  /** How many emails it carries: the answer must account for each. */
  count: number;
}

/** The provider's own account of its rate window, from its `ratelimit-*` headers. */
export interface ProviderRate {
  /** Requests allowed per window. */
  limit: number;
  /** Requests left in the window as the provider counted it when this one arrived. */
  remaining: number;
  /** Until the window frees a slot (whole seconds on the wire). */
  resetMs: number;
}

/** A batch's outcome, in the order of the messages. */
export interface BatchResult {
  ids: Array<string | null>;
  errors: Array<{ index: number; message: string }>;
  rate?: ProviderRate;
}

/** Something that delivers emails: Resend in production, the console or files in development. */
export interface MailTransport {
  readonly name: string;
  /** Sends once per idempotency key; throws PermanentError, TransientError or RateLimitedError. */
  send(message: MailMessage, options: SendOptions): Promise<{ id: string; rate?: ProviderRate }>;
  /** Encodes 1–100 emails as one batch request body (PermanentError outside that range). */
  encodeBatch?(messages: readonly MailMessage[]): EncodedBatch;
  /**
   * Sends an encoded batch in one request, once per idempotency key: a retry must present the same
   * body, which is why it takes the encoded bytes. Strict (default): one invalid email refuses all.
   * Permissive: the valid ones are sent; `ids[i]` is null for an email refused, with its reason in
   * `errors`. Optional (with `encodeBatch`): callers fall back to one send per email.
   */
  sendBatch?(batch: EncodedBatch, options: BatchOptions): Promise<BatchResult>;
}
