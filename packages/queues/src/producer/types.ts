import type { EmailPayload } from "@callastar/emails/schemas";

/** What the main app passes to `enqueueEmail`: a template with its props, and who receives it. */
export type EmailInput = EmailPayload & {
  to: string;
  bookingId?: string;
  userId?: string;
  /** Defaults to `<template>:<bookingId>:<userId or to>`: one such email per booking and recipient. */
  idempotencyKey?: string;
};
