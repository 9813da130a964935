import type { RedisConnection as Redis } from "@callastar/queues";
import { JOB_OUTBOX } from "@callastar/producer";
import type { BackgroundLoop } from "@callastar/runtime";
import { relayBatch, type OutboxRelayOptions } from "./relay";
import { recheckEmails } from "./recheck";

export interface RelayLoopOptions extends OutboxRelayOptions {
  pollIntervalMs: number;
  emailRecheckAfterMs: number;
  emailRecheckIntervalMs: number;
}

export interface RelayLoop extends BackgroundLoop {
  /** Drains the outbox now (coalesced with a drain in progress). */
  wake(): void;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The Redis key whose expiry schedules the next email re-check, for every copy of the relay at once. */
export const recheckSlotKey = (prefix: string) => `${prefix}:outbox:email-recheck`;

/**
 * Takes the email re-check slot when it is free: at most one re-check per interval across every
 * copy, and one as soon as any copy runs after the interval — at its start too — however often
 * relays restart (a timer per process would need one copy to live a full interval first).
 */
async function takeRecheckSlot(redis: Redis, prefix: string, intervalMs: number): Promise<boolean> {
  return (await redis.set(recheckSlotKey(prefix), String(Date.now()), "PX", intervalMs, "NX")) === "OK";
}

/**
 * Runs the relay: a NOTIFY on commit wakes it (latency), a poll timer catches anything a lost
 * notification missed, and on each poll the copy that takes the re-check slot re-checks relayed
 * emails not yet delivered. Nothing here holds a database session between passes; LISTEN has a
 * connection of its own, which postgres.js reconnects and listens on again after an outage.
 */
export function startRelayLoop(options: RelayLoopOptions): RelayLoop {
  const { log } = options;
  let closed = false;
  let again = false;
  let draining: Promise<void> | undefined;
  let rechecking: Promise<void> | undefined;
  // A pass that ends, relaying or failing (the database or Redis unreachable, retried at the next
  // poll), is progress; the watchdog is for a pass that never ends.
  let lastProgressAt = Date.now();

  const drain = async () => {
    do {
      again = false;
      // A full batch means more rows may be waiting: keep going without waiting for a wake-up.
      while (!closed && (await relayBatch(options)) === options.batchSize) lastProgressAt = Date.now();
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
      .finally(() => {
        lastProgressAt = Date.now();
        draining = undefined;
      });
  };
  const recheck = () => {
    // A fail-fast connection refuses commands until it is ready: the next tick tries again.
    if (closed || rechecking || options.redis.status !== "ready") return;
    rechecking = takeRecheckSlot(options.redis, options.prefix, options.emailRecheckIntervalMs)
      .then(async (mine) => {
        if (!mine || closed) return;
        const r = await recheckEmails({ ...options, afterMs: options.emailRecheckAfterMs });
        if (r.readded || r.failed) log.info({ ...r }, `email re-check: ${r.delivered} delivered, ${r.readded} added again, ${r.failed} failed for good`);
      })
      .catch((error: unknown) => log.error({ err: error }, `email re-check failed: ${message(error)}`))
      .finally(() => (rechecking = undefined));
  };

  // onlisten runs on every (re)connection: rows committed while the listener was down are drained.
  // Not awaited: a relay started during an outage polls until postgres.js gets LISTEN through.
  const listening = options.sql.listen(JOB_OUTBOX.channel, wake, wake).catch((error: unknown) => {
    log.warn({ err: error }, `LISTEN ${JOB_OUTBOX.channel} failed (polling meanwhile; retried as the connection comes back): ${message(error)}`);
    return undefined;
  });
  const tick = () => {
    wake();
    recheck();
  };
  const poll = setInterval(tick, options.pollIntervalMs);
  tick();

  let closing: Promise<void> | undefined;
  return {
    wake,
    health: () => ({ lastProgressAt, workDue: !closed }),
    stop() {
      closing ??= (async () => {
        closed = true;
        clearInterval(poll);
        // A LISTEN still waiting for the server has nothing to undo (the pool's end stops it); the
        // second, settled promise wins the race only then.
        const listener = await Promise.race([listening, Promise.resolve(undefined)]);
        await listener?.unlisten().catch(() => undefined);
        await Promise.all([draining, rechecking]);
      })();
      return closing;
    },
  };
}
