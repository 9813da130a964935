import { z } from "zod";
import { MAX_BATCH_SIZE } from "@callastar/emails";
import { envFields, loadEnv, workerEnvShape } from "@callastar/runtime/start";

/** The email worker's variables, each with its form (`.describe`): docs/configuration.md's table is generated from it. */
export const envSchema = z
  .object({
    ...workerEnvShape,
    EMAIL_TRANSPORT: z
      .enum(["resend", "console"])
      .default("resend")
      .describe("`resend` (the Resend API) or `console` (each email written as a file in `EMAIL_OUTBOX_DIR`)"),
    RESEND_API_KEY: envFields.apiKey("the Resend API key, re_…", 8, ["re_"]).optional().describe("Resend API key (`re_…`); required when `EMAIL_TRANSPORT=resend`"),
    RESEND_BASE_URL: envFields
      .originUrl("https://api.resend.com", "the Resend SDK adds /emails itself")
      .optional()
      .describe("Resend API origin without a path, e.g. `https://api.resend.com` (the SDK adds `/emails`); unset: the SDK's default"),
    EMAIL_FROM: envFields
      .sender("Call a Star <noreply@callastar.com>")
      .describe("sender: `Name <address>` such as `Call a Star <noreply@callastar.com>`, or a bare address"),
    EMAIL_OUTBOX_DIR: z.string().default(".demo/outbox").describe("directory of the `console` transport's emails"),
    APP_URL: envFields.httpUrl.describe("http(s) URL of the main app: reminder buttons link to `APP_URL/bookings/<id>`"),
    REMINDER_LEAD_MINUTES: envFields
      .positiveInt(15)
      .describe("minutes before a call its reminder is sent; the outbox relay's and the maintenance worker's (`verify-audit` ages reminders from it) must be the same"),
    REMINDER_SWEEP_PERIOD_MINUTES: envFields
      .positiveInt(5)
      .describe("minutes: period of the reminder safety-net sweep (its window is the lead time plus one period)"),
    REMINDER_PREPARE_AHEAD_MS: envFields
      .nonNegativeInt(60_000)
      .describe("ms before their due time reminders are rendered and queued, so full batches leave exactly at it; 0 = prepared when due"),
    EMAIL_RATE_LIMIT_PER_SECOND: envFields
      .nonNegativeInt(2)
      .describe("Resend requests per second until Resend's ratelimit-limit header says otherwise, one sliding window across every copy (held in Redis); 0 = unpaced"),
    EMAIL_RATE_LIMIT_MARGIN_MS: envFields
      .nonNegativeInt(10)
      .describe("ms added to Resend's window after each answer (clocks' granularity): the least margin, widened on a 429 and narrowed back as requests pass"),
    EMAIL_BATCH_SIZE: z.coerce
      .number({ error: "must be a number" })
      .int("must be an integer")
      .min(1, "must be > 0")
      .max(MAX_BATCH_SIZE, `must be <= ${MAX_BATCH_SIZE} (Resend's limit)`)
      .default(MAX_BATCH_SIZE)
      .describe("emails per Resend batch request, at most 100 (Resend's limit); 2 reproduces one request per reminder"),
    EMAIL_BATCH_LEASE_MS: z.coerce
      .number()
      .int("must be an integer")
      .min(3_000, "must be >= 3000 (a lease is renewed every third of it)")
      .default(15_000)
      .describe("ms a copy holds a batch without renewing its lease: a dead or cut-off copy's batch is taken over after this"),
    EMAIL_ADHOC_MAX_WAIT_MS: envFields
      .nonNegativeInt(30_000)
      .describe("ms an ad-hoc email waits behind reminders at most: past it, waiting ad-hoc emails take a tenth of every batch, ahead of reminders"),
    // A reminder job only renders and queues: more at once only crowds the batch sender's event loop.
    REMINDERS_CONCURRENCY: envFields.positiveInt(10).describe("reminder jobs one copy runs at once (each renders and queues its emails)"),
    EMAILS_CONCURRENCY: envFields.positiveInt(20).describe("ad-hoc email jobs one copy runs at once (each renders and queues its email)"),
  })
  .refine((env) => env.EMAIL_TRANSPORT !== "resend" || env.RESEND_API_KEY, {
    path: ["RESEND_API_KEY"],
    message: "is required when EMAIL_TRANSPORT=resend",
  });

export type EmailWorkerEnv = z.output<typeof envSchema>;

/** The email worker's configuration, validated once at start-up. */
export const loadEmailWorkerEnv = (source: Record<string, string | undefined> = process.env): EmailWorkerEnv =>
  loadEnv(envSchema, source);
