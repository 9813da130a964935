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
}

/** Per-send options; the key makes a retried send deliver once. */
export interface SendOptions {
  /** Derived from the entity (e.g. `reminder:<bookingId>:client`), 1–256 characters. */
  idempotencyKey: string;
}

/** Something that delivers emails: Resend in production, the console or files in development. */
export interface MailTransport {
  readonly name: string;
  /** Sends once per idempotency key; throws PermanentError, TransientError or RateLimitedError. */
  send(message: MailMessage, options: SendOptions): Promise<{ id: string }>;
  /**
   * Sends several emails in one request, all or none, once per idempotency key; ids in order.
   * Optional: callers fall back to one send per email.
   */
  sendBatch?(messages: readonly MailMessage[], options: SendOptions): Promise<{ ids: string[] }>;
  /** Releases kept-alive connections, if the transport holds any. */
  close?(): void;
}
