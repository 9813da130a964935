import { resolve } from "node:path";
import { createDb } from "@callastar/db";
import { createConsoleTransport, createResendTransport, type MailTransport } from "@callastar/emails";
import { bindQueue, processLogFromEnv, queueKey, runCron, startWorkerApp, workerOptionsFromEnv, type ProcessLog, type WorkerApp, type WorkerAppOptions, type WorkerContext } from "@callastar/runtime";
import type { EmailWorkerEnv } from "./env";
import { createMailer } from "./mailer";
import { processBookingReminder } from "./handlers/booking-reminder";
import { sweepBookingReminders } from "./handlers/reminder-sweep";
import { processSendEmail } from "./handlers/send-email";
import { startBatchSender, type BatchSender } from "./batch-sender";
import { startPrepareAhead } from "./prepare-ahead";
import { createSendPacer, type SendPacer } from "./send-pacer";

const SENDER_LOOPS = 2;

/** Builds the transport the env asks for: Resend (production, or a stand-in) or files (development). */
function transportFromEnv(env: EmailWorkerEnv, log: ProcessLog): MailTransport {
  if (env.EMAIL_TRANSPORT === "console") {
    return createConsoleTransport({ dir: resolve(env.EMAIL_OUTBOX_DIR), write: (line) => log.info({ transport: "console" }, line) });
  }
  return createResendTransport({ apiKey: env.RESEND_API_KEY!, ...(env.RESEND_BASE_URL ? { baseUrl: env.RESEND_BASE_URL } : {}) });
}

/** Starts the reminder + email worker: queues `reminders` and `emails`. */
export function startEmailWorker(env: EmailWorkerEnv, overrides: Pick<WorkerAppOptions, "exit" | "tracing"> & { log?: ProcessLog } = {}): Promise<WorkerApp> {
  const leadMs = env.REMINDER_LEAD_MINUTES * 60_000;
  const log = overrides.log ?? processLogFromEnv("email-worker", env);
  const transport = transportFromEnv(env, log);
  // One window for every request of every copy: ad-hoc sends and batches share Resend's rate.
  let pacer: SendPacer | undefined;
  const pacerFor = (ctx: WorkerContext) =>
    (pacer ??= createSendPacer(ctx.redis, {
      key: queueKey(ctx.prefix, "emails", "pace:resend", ctx.redis),
      limit: env.EMAIL_RATE_LIMIT_PER_SECOND,
      marginMs: env.EMAIL_RATE_LIMIT_MARGIN_MS,
    }));
  let mailer: ReturnType<typeof createMailer> | undefined;
  // This process' sender loops: an ad-hoc email its jobs queue wakes them (other copies find it at their next poll).
  let senders: BatchSender[] = [];
  const nudgeSenders = () => senders.forEach((sender) => sender.nudge());
  const mailerFor = (ctx: WorkerContext) =>
    (mailer ??= createMailer({ db: ctx.db, transport, from: env.EMAIL_FROM, pacer: pacerFor(ctx), stopping: ctx.stopping }));
  return startWorkerApp({
    name: "email-worker",
    ...workerOptionsFromEnv(env),
    reminderLeadMinutes: env.REMINDER_LEAD_MINUTES,
    backgroundName: "batch sender",
    background: (ctx) => {
      // Its own two connections: at a peak, 50 reminder jobs per process keep the shared pool busy,
      // and a batch statement queued behind them held up the request (seconds, measured at 5,000 calls).
      const db = createDb(env.DATABASE_URL, { applicationName: "email-worker:batches", max: 2 * SENDER_LOOPS, connectTimeout: 5 });
      // Two loops per copy: while one waits for Resend's answer and records it, the other has its
      // batch loaded, pruned and its body stored, ready for the next slot (one loop alone left
      // slots unused at a peak: ~1.1 requests/s from three copies).
      senders = Array.from({ length: SENDER_LOOPS }, () =>
        startBatchSender({
          db,
          transport,
          pacer: pacerFor(ctx),
          batchSize: env.EMAIL_BATCH_SIZE,
          leaseMs: env.EMAIL_BATCH_LEASE_MS,
          reminderLeadMs: leadMs,
          adhocMaxWaitMs: env.EMAIL_ADHOC_MAX_WAIT_MS,
          // A third of the shutdown budget at most: the workers, the logger and the pools close after it.
          stopTimeoutMs: Math.min(10_000, env.SHUTDOWN_TIMEOUT_MS / 3),
          log: (line) => log.info({ component: "batch-sender" }, line),
          onRequest: (request) => log.info({ component: "batch-sender", request }, "batch request"),
        }),
      );
      const preparer =
        env.REMINDER_PREPARE_AHEAD_MS > 0
          ? startPrepareAhead({
              deps: { db: ctx.db, logger: ctx.logger, mailer: mailerFor(ctx), appUrl: env.APP_URL, leadMs },
              reminders: ctx.queue("reminders"),
              aheadMs: env.REMINDER_PREPARE_AHEAD_MS,
              log: (line) => log.info({ component: "prepare-ahead" }, line),
            })
          : undefined;
      return {
        stop: () => Promise.all([...senders.map((s) => s.stop()), preparer?.stop()]).finally(() => db.close(1)).then(() => undefined),
        health: () => {
          const all = senders.map((s) => s.health());
          return { lastProgressAt: Math.max(...all.map((h) => h.lastProgressAt)), workDue: all.some((h) => h.workDue) };
        },
      };
    },
    ...overrides,
    log,
    bindings: [
      bindQueue({
        queue: "reminders",
        concurrency: env.REMINDERS_CONCURRENCY,
        handlers: (ctx) => ({
          "booking-reminder": async (data, job) => {
            const result = await processBookingReminder({ db: ctx.db, logger: ctx.logger, mailer: mailerFor(ctx), appUrl: env.APP_URL, leadMs }, data, job);
            if (result.status === "queued") nudgeSenders();
            return result;
          },
          "send-booking-reminders": (_data, job) =>
            runCron(ctx, "send-booking-reminders", job, (progress) =>
              sweepBookingReminders(
                { db: ctx.db, queue: ctx.queue("reminders"), redis: ctx.redis, leadMs, periodMs: env.REMINDER_SWEEP_PERIOD_MINUTES * 60_000 },
                progress,
              ),
            ),
        }),
      }),
      bindQueue({
        queue: "emails",
        concurrency: env.EMAILS_CONCURRENCY,
        handlers: (ctx) => ({
          "send-email": async (data, job) => {
            const result = await processSendEmail({ mailer: mailerFor(ctx), logger: ctx.logger }, data, job);
            if (result.status === "queued") nudgeSenders();
            return result;
          },
        }),
      }),
    ],
  });
}
