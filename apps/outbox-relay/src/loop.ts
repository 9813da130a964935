import { JOB_OUTBOX } from "@callastar/queues";
import { relayBatch, type OutboxRelayOptions } from "./relay";
import { recheckEmails } from "./recheck";

export interface RelayLoopOptions extends OutboxRelayOptions {
  pollIntervalMs: number;
  emailRecheckAfterMs: number;
  emailRecheckIntervalMs: number;
}

export interface RelayLoop {
  /** Drains the outbox now (coalesced with a drain in progress). */
  wake(): void;
  /** Stops listening and polling, waits for the batch in progress. Idempotent. */
  close(): Promise<void>;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Runs the relay: a NOTIFY on commit wakes it (latency), a poll timer catches anything a lost
 * notification missed, and a slower timer re-checks relayed emails not yet delivered.
 */
export async function startRelayLoop(options: RelayLoopOptions): Promise<RelayLoop> {
  const { log } = options;
  let closed = false;
  let again = false;
  let draining: Promise<void> | undefined;
  let rechecking: Promise<void> | undefined;

  const drain = async () => {
    do {
      again = false;
      // A full batch means more rows may be waiting: keep going without waiting for a wake-up.
      while (!closed && (await relayBatch(options)) === options.batchSize);
    } while (again && !closed);
  };
  const wake = () => {
    if (closed) return;
    if (draining) {
      again = true;
      return;
    }
    draining = drain()
      .catch((error: unknown) => log.error({ err: error }, `relay pass failed (retried on the next wake-up): ${message(error)}`))
      .finally(() => (draining = undefined));
  };
  const recheck = () => {
    if (closed || rechecking) return;
    rechecking = recheckEmails({ ...options, afterMs: options.emailRecheckAfterMs })
      .then((r) => {
        if (r.readded || r.failed) log.info({ ...r }, `email re-check: ${r.delivered} delivered, ${r.readded} added again, ${r.failed} failed for good`);
      })
      .catch((error: unknown) => log.error({ err: error }, `email re-check failed: ${message(error)}`))
      .finally(() => (rechecking = undefined));
  };

  // onlisten runs on every (re)connection: rows committed while the listener was down are drained.
  const listener = await options.sql.listen(JOB_OUTBOX.channel, wake, wake);
  const poll = setInterval(wake, options.pollIntervalMs);
  const recheckTimer = setInterval(recheck, options.emailRecheckIntervalMs);
  let closing: Promise<void> | undefined;
  return {
    wake,
    close() {
      closing ??= (async () => {
        closed = true;
        clearInterval(poll);
        clearInterval(recheckTimer);
        await listener.unlisten().catch(() => undefined);
        await Promise.all([draining, rechecking]);
      })();
      return closing;
    },
  };
}
