import { z } from "zod";
import { MAX_BATCH_SIZE } from "@callastar/emails";
import { envFields, loadEnv, workerEnvShape } from "@callastar/runtime";

const schema = z
  .object({
    ...workerEnvShape,
    EMAIL_TRANSPORT: z.enum(["resend", "console"]).default("resend"),
    RESEND_API_KEY: z.string().min(1).optional(),
    RESEND_BASE_URL: envFields.originUrl("https://api.resend.com", "the Resend SDK adds /emails itself").optional(),
    EMAIL_FROM: z.string().min(3, "must be a sender such as 'Call a Star <noreply@callastar.com>'"),
    EMAIL_OUTBOX_DIR: z.string().default(".demo/outbox"),
    APP_URL: envFields.httpUrl,
    REMINDER_LEAD_MINUTES: envFields.positiveInt(15),
    REMINDER_SWEEP_PERIOD_MINUTES: envFields.positiveInt(5),
    EMAIL_RATE_LIMIT_PER_SECOND: envFields.nonNegativeInt(2),
    // Spacing added to each Resend request slot so that arrival jitter does not cost 429s (see rate-limiter.ts).
    EMAIL_RATE_LIMIT_MARGIN_MS: envFields.nonNegativeInt(50),
    // Emails per Resend batch request (Resend takes at most 100); 2 reproduces one request per reminder.
    EMAIL_BATCH_SIZE: envFields.positiveInt(MAX_BATCH_SIZE).pipe(z.number().max(MAX_BATCH_SIZE, `must be <= ${MAX_BATCH_SIZE} (Resend's limit)`)),
    // A reminder job only renders and queues (CPU, no network wait): more at once only crowds the
    // event loop the batch sender shares (5,000-call peak: max lateness 59 s at 10 against 63 s at 50).
    REMINDERS_CONCURRENCY: envFields.positiveInt(10),
    EMAILS_CONCURRENCY: envFields.positiveInt(20),
  })
  .refine((env) => env.EMAIL_TRANSPORT !== "resend" || env.RESEND_API_KEY, {
    path: ["RESEND_API_KEY"],
    message: "is required when EMAIL_TRANSPORT=resend",
  });

export type EmailWorkerEnv = z.output<typeof schema>;

/** The email worker's configuration, validated once at start-up. */
export const loadEmailWorkerEnv = (source: Record<string, string | undefined> = process.env): EmailWorkerEnv =>
  loadEnv(schema, source);
