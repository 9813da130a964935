// The batch sender: one loop per worker process drains "PendingEmail" in `POST /emails/batch`
// requests of up to 100 emails, reminders first, under the Redis-wide rate limit. Any copy can
// finish a batch another started (see email-batches.ts for what is committed when).
import { randomUUID } from "node:crypto";
import { PermanentError, RateLimitedError } from "@callastar/errors";
import { MAX_BATCH_SIZE, type BatchResult, type MailMessage, type MailTransport } from "@callastar/emails";
import type { DbHandle } from "@callastar/db";
import type { AuditLogger } from "@callastar/logger";
import type { RateLimiter } from "@callastar/runtime";
import { createBatchStore, type Batch, type BatchMember, type BatchStore } from "./email-batches";
import { createEmailRecorder, type AcceptedEmail, type EmailSubject } from "./email-record";
import { REMINDER_PRIORITY } from "./pending-emails";

export interface BatchSenderOptions {
  db: DbHandle;
  transport: MailTransport;
  limiter: RateLimiter;
  logger: AuditLogger;
  /** How long an idle loop waits before looking for emails again. */
  pollMs?: number;
  batchSize?: number;
  log?: (line: string) => void;
}

/** The outcome of one batch's request(s). */
type Outcome = { accepted: AcceptedEmail[]; refused: Array<{ subject: EmailSubject; error: unknown }> };

const MAX_BACKOFF_MS = 60_000;

/** Starts the loop; `stop()` lets the batch in hand finish (its lock is then released). */
export function startBatchSender(options: BatchSenderOptions): { stop(): Promise<void> } {
  const { db, transport, limiter } = options;
  const store = createBatchStore(db, createEmailRecorder(db, transport.name));
  const pollMs = options.pollMs ?? 200;
  const log = options.log ?? (() => {});
  let running = true;
  let wake: (() => void) | undefined;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const loop = (async () => {
    while (running) {
      // One dedicated connection carries this loop's batch locks; after any failure (PostgreSQL
      // restarted, say) it is given back, its locks gone with it, and a fresh one taken.
      let conn: Awaited<ReturnType<typeof db.sql.reserve>> | undefined;
      try {
        conn = await db.sql.reserve();
        while (running) {
          const id = await claim(store, conn, options.batchSize ?? MAX_BATCH_SIZE);
          if (!id) {
            await pause(pollMs);
            continue;
          }
          try {
            await sendBatch(id);
          } finally {
            await store.unlock(conn, id);
          }
        }
      } catch (error) {
        log(`batch sender: ${error instanceof Error ? error.message : String(error)}; retrying`);
        await pause(1_000);
      } finally {
        conn?.release();
      }
    }
  })();

  async function sendBatch(id: string): Promise<void> {
    const batch = await store.load(id);
    if (!batch) return;
    let members = batch.members;
    const urgent = members.some((m) => m.priority === REMINDER_PRIORITY);
    let attempt = batch.attempts;
    // Members that went stale while the batch waited leave before its rate slot is taken...
    if (!batch.attempted) members = await store.prune(batch, false);
    for (;;) {
      await limiter.acquire({ urgent });
      if (!batch.attempted) {
        // ...and membership is frozen in one statement right after it: a slow transaction here
        // would let the request reach Resend out of the limiter's pace (a 429 costs a second).
        // After this commit the request's body is fixed.
        if (!(await store.freezeIfUnchanged(id))) members = await store.prune({ ...batch, members }, true);
        batch.attempted = true;
      }
      if (members.length === 0) return store.finish(id, [], []);
      try {
        const outcome = await request(transport, batch, members);
        return await store.finish(id, outcome.accepted, outcome.refused);
      } catch (error) {
        if (error instanceof RateLimitedError) {
          // A 429: Resend sent nothing; the same request goes again after retry-after, no attempt spent.
          await pause(error.retryAfterMs);
          // Stopping: the batch stays in PostgreSQL for the next copy.
          if (!running) return;
          continue;
        }
        if (error instanceof PermanentError) {
          return store.finish(id, [], members.map((m) => ({ subject: m.subject, error })));
        }
        attempt += 1;
        await store.countAttempt(id);
        await options.logger.logEmailError(null, null, "batch", error, {
          batchId: id,
          attempt,
          final: false,
          stage: "send",
          emails: members.length,
          bookingIds: [...new Set(members.map((m) => m.subject.bookingId).filter(Boolean))].slice(0, 100),
          errorType: error instanceof Error ? error.name : typeof error,
        });
        await pause(Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(attempt, 8)));
        if (!running) return;
      }
    }
  }

  return {
    async stop() {
      running = false;
      wake?.();
      await loop;
    },
  };
}

// An unfinished batch (its holder died, or crashed mid-request) first, else a new one.
async function claim(store: BatchStore, conn: Parameters<BatchStore["tryLock"]>[0], size: number): Promise<string | null> {
  for (const id of await store.openBatchIds(20)) {
    if (!(await store.tryLock(conn, id))) continue;
    if (await store.load(id).then((b) => b !== null)) return id;
    await store.unlock(conn, id);
  }
  const id = `email-batch:${randomUUID()}`;
  await store.tryLock(conn, id);
  if ((await store.create(id, size)) > 0) return id;
  await store.unlock(conn, id);
  return null;
}

// Permissive validation: one refused address does not hold back the others. Without a batch
// endpoint (the console transport), each email goes alone under its own key.
async function request(transport: MailTransport, batch: Batch, members: BatchMember[]): Promise<Outcome> {
  const messages: MailMessage[] = members.map((m) => m.message);
  let result: BatchResult;
  if (transport.sendBatch) {
    result = await transport.sendBatch(messages, { idempotencyKey: batch.id, permissive: true });
  } else {
    const ids: string[] = [];
    for (const [i, m] of messages.entries()) ids.push((await transport.send(m, { idempotencyKey: members[i]!.subject.idempotencyKey })).id);
    result = { ids, errors: [] };
  }
  const outcome: Outcome = { accepted: [], refused: [] };
  members.forEach((m, i) => {
    const id = result.ids[i];
    if (id) outcome.accepted.push({ ...m.subject, subject: m.message.subject, providerMessageId: id });
    else {
      const message = result.errors.find((e) => e.index === i)?.message ?? "refused by Resend";
      outcome.refused.push({ subject: m.subject, error: new PermanentError(`Resend refused the email: ${message}`, { status: 422, code: "validation_error" }) });
    }
  });
  return outcome;
}
