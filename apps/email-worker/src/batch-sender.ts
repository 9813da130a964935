// The batch sender: one loop per worker process drains "PendingEmail" in `POST /emails/batch`
// requests of up to 100 emails, reminders first, under the Redis-wide rate limit. It holds no
// PostgreSQL session across its loop: each step is a short bounded transaction, and a batch is held
// by a lease (see email-batches.ts), so a server restart or a dead copy stalls nothing for long.
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { PermanentError } from "@callastar/errors";
import { MAX_BATCH_SIZE, type BatchResult, type EncodedBatch, type MailTransport, type ProviderRate } from "@callastar/emails";
import type { DbHandle } from "@callastar/db";
import { holdLease, type HeldLease } from "./batch-lease";
import { judgeFailure, REPLAY_SAFE_MS } from "./batch-verdict";
import type { TxBounds } from "./bounded-tx";
import { createBatchStore, LeaseLostError, type Batch, type BatchMember, type Lanes } from "./email-batches";
import { createEmailRecorder, type AcceptedEmail, type EmailSubject } from "./email-record";
import { REMINDER_PRIORITY } from "./pending-emails";
import { startTimeline, type RequestTimeline } from "./request-timeline";
import { GaveWayError, type PaceSlot, type SendPacer } from "./send-pacer";

export interface BatchSenderOptions {
  db: DbHandle;
  transport: MailTransport;
  /** Resend's window, shared by every copy (send-pacer.ts). */
  pacer: SendPacer;
  /** How long a loop that found nothing waits before looking again (default 200 ms)... */
  pollMs?: number;
  /**
   * ...doubling while it keeps finding nothing, up to this (default 1 s): an idle worker does not
   * run five statements a second. `nudge()` ends the wait at once.
   */
  idlePollMs?: number;
  batchSize?: number;
  /** How long a claim on a batch lasts without renewal: a dead holder's batch is taken over after this. */
  leaseMs?: number;
  /** `stop()` waits this long at most for the step in hand (a request in flight, its record). */
  stopTimeoutMs?: number;
  /**
   * The reminder lead: a reminder falls due at its call time less this, and its batch leaves no
   * earlier. Unset: every email is due at once (tests of the sending alone).
   */
  reminderLeadMs?: number;
  /** An ad-hoc email waiting longer than this takes a share of every batch, ahead of reminders (no starving). */
  adhocMaxWaitMs?: number;
  /** That share: how many of a batch's places aged ad-hoc emails may take (default a tenth of the batch). */
  adhocShare?: number;
  /** Server-side bounds of each transaction. */
  txBounds?: TxBounds;
  log?: (line: string) => void;
  /** Each request's steps, once its outcome is recorded (the worker logs them; bench:peak reads them). */
  onRequest?: (timeline: RequestTimeline) => void;
}

/** The loop, as the worker runtime sees it (its BackgroundLoop). */
export interface BatchSender {
  /** Lets the step in hand finish (bounded by `stopTimeoutMs`), gives up the batch's lease, ends the loop. */
  stop(): Promise<void>;
  /** An email was just queued in this process: an idle loop looks at once instead of at its next poll. */
  nudge(): void;
  /** When the loop last completed a step (a batch recorded, an attempt recorded, or a poll that found nothing), and whether work is due. */
  health(): { lastProgressAt: number; workDue: boolean };
}

/** The outcome of one batch's request(s). */
type Outcome = { accepted: AcceptedEmail[]; refused: Array<{ subject: EmailSubject; error: unknown }>; rate?: ProviderRate | undefined };

const MAX_BACKOFF_MS = 60_000;
/** After a failed step (PostgreSQL unreachable, say), the loop tries again this soon. */
const STEP_RETRY_MS = 1_000;
const DEFAULT_LEASE_MS = 15_000;
/**
 * A batch is gathered this long before its due time, so it is loaded, re-checked and its body
 * stored when the time comes (seconds on a loaded machine); reminders are prepared long before.
 */
const GATHER_AHEAD_MS = 3_000;
/**
 * A batch takes its place in Resend's window up to this long before the place opens (and before
 * its due time), and is frozen meanwhile, so the request leaves at the opening itself. A call
 * cancelled or moved within this last moment is still reminded (docs/email.md).
 */
const FREEZE_LEAD_MS = 250;
/**
 * A batch of reminders holds ad-hoc sends back from this long before its due time (from its claim
 * when it is claimed later) until it has its place, so the provider's window (1 s plus the margin,
 * a place being held until its answer) is empty when the reminders leave.
 */
const URGENT_NOTICE_MS = 1_500;
const DEFAULT_ADHOC_MAX_WAIT_MS = 30_000;

/** Starts the loop. */
export function startBatchSender(options: BatchSenderOptions): BatchSender {
  const { transport, pacer } = options;
  const store = createBatchStore(options.db, createEmailRecorder(options.db, transport.name), options.txBounds);
  const pollMs = options.pollMs ?? 200;
  const idlePollMs = Math.max(pollMs, options.idlePollMs ?? 1_000);
  let idleWaitMs = pollMs;
  let idle = false;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const size = options.batchSize ?? MAX_BATCH_SIZE;
  const log = options.log ?? (() => {});
  const adhocMaxWaitMs = options.adhocMaxWaitMs ?? DEFAULT_ADHOC_MAX_WAIT_MS;
  const agedShare = options.adhocShare ?? Math.ceil(size / 10);
  const self = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  let claims = 0;
  let running = true;
  // Aborted by stop(): a wait for a rate slot ends at once.
  const stopping = new AbortController();
  let lastProgressAt = Date.now();
  let workDue = false;
  const progress = (due: boolean) => {
    lastProgressAt = Date.now();
    workDue = due;
  };
  let wake: (() => void) | undefined;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      if (!running) return resolve();
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const failures = failureLog(log);

  const loop = (async () => {
    while (running) {
      try {
        const owner = `${self}:${++claims}`;
        const claimedAt = Date.now();
        const batchId = await store.claim(owner, `email-batch:${randomUUID()}`, size, leaseMs, await lanes());
        failures.recovered();
        if (!batchId) {
          progress(false);
          idle = true;
          await pause(idleWaitMs);
          idle = false;
          idleWaitMs = Math.min(idlePollMs, idleWaitMs * 2);
          continue;
        }
        idleWaitMs = pollMs;
        workDue = true;
        const lease = holdLease(store, { batchId, owner }, leaseMs, claimedAt, (why) => log(`batch sender: lease on ${batchId} lost: ${why}`));
        try {
          await work(lease, startTimeline(batchId, Date.now()));
        } finally {
          lease.stop();
        }
      } catch (error) {
        failures.failed(error);
        await pause(STEP_RETRY_MS);
      }
    }
  })();

  // Holds ad-hoc sends back (the pacer's urgent mark, renewed) from when this loop's reminders are
  // about to fall due until they ask for their slot (which marks them waiting itself).
  const standingBy = (() => {
    let timer: NodeJS.Timeout | undefined;
    // Renewed well within the mark's life (at most 2 s), so a slow step in between does not let it lapse.
    const mark = () => void pacer.announceUrgent(2_000).catch(() => undefined);
    return {
      begin() {
        if (timer) return;
        mark();
        timer = setInterval(mark, URGENT_NOTICE_MS / 2);
      },
      end() {
        clearInterval(timer);
        timer = undefined;
      },
    };
  })();

  // The lane rules of the next claim (docs/email.md, "Lanes"): reminders first; ad-hoc emails fill
  // the room they leave, and not at all while an urgent send waits, except those waiting too long.
  async function lanes(): Promise<Lanes> {
    const lead = options.reminderLeadMs;
    const now = Date.now();
    return {
      callsBefore: lead === undefined ? new Date("9999-01-01T00:00:00Z") : new Date(now + lead + GATHER_AHEAD_MS),
      adhoc: !(await pacer.urgentWaiting()),
      agedBefore: new Date(now - adhocMaxWaitMs),
      agedShare,
    };
  }

  // One batch under its lease: sent until its outcome is recorded, the lease is lost, or the loop stops.
  async function work(lease: HeldLease, timeline: RequestTimeline): Promise<void> {
    const batch = await persist(lease, () => store.load(lease));
    if (!batch) return;
    let done: boolean;
    try {
      done = await sendBatch(batch, lease, timeline);
    } finally {
      standingBy.end();
    }
    // Stopped with the batch unfinished: let any copy take it now rather than when the lease lapses.
    if (!done && lease.held) await store.release(lease).catch(() => undefined);
  }

  // True once the batch's outcome is recorded (or it is no longer this holder's to record). Every
  // write goes through `persist`: undefined means the lease is gone or the loop stops.
  async function sendBatch(batch: Batch, lease: HeldLease, timeline: RequestTimeline): Promise<boolean> {
    let members = batch.members;
    const subjects = () => members.map((m) => m.subject);
    const urgent = members.some((m) => m.priority === REMINDER_PRIORITY);
    const loadedAt = Date.now();
    // A request with this key may already be at Resend: taken over after its first send.
    let maybeSent = batch.attempted;
    let frozen = batch.attempted;
    let request = frozen ? storedRequest(transport, batch) : null;
    const encodeBody = (left: BatchMember[]) => encode(transport, left)?.body ?? null;
    const prepared = (p: { members: BatchMember[]; body: string | null }) => {
      members = p.members;
      request = p.body === null ? null : { body: p.body, count: members.length };
    };
    // Reminders due (or about to be): ad-hoc sends hold back already, while this batch is pruned and
    // its body stored (seconds on a loaded machine, more when a statement times out and is tried
    // again), not only once it asks for its slot.
    if (urgent && dueAtOf(members) <= Date.now() + URGENT_NOTICE_MS) standingBy.begin();
    if (!frozen) {
      // Members that went stale while the batch waited leave, and the body is stored, before its rate slot is taken.
      const pruned = await persist(lease, () => store.prune(lease, members, encodeBody, false));
      if (!pruned) return false;
      prepared(pruned);
      timeline.readyAt = Date.now();
    }
    timeline.dueAt = dueAtOf(members);
    if (urgent && timeline.dueAt > Date.now() + FREEZE_LEAD_MS) {
      // Ad-hoc sends stop taking places a window before the due time, so the window is empty at it.
      if (!(await until(timeline.dueAt - URGENT_NOTICE_MS))) return false;
      standingBy.begin();
    }
    // The slot is asked for, and the batch frozen, up to FREEZE_LEAD_MS before the due time.
    if (!(await until(timeline.dueAt - FREEZE_LEAD_MS))) return false;
    for (;;) {
      if (!running || !lease.held) return false;
      if (members.length === 0) return record(lease, () => store.finish(lease, [], []));
      if (frozen && batch.attemptAgeMs !== null && batch.attemptAgeMs + (Date.now() - loadedAt) > REPLAY_SAFE_MS) {
        const reason = "Resend's 24 h replay window is closing: a retry could deliver again";
        return record(lease, () => store.markUnknown(lease, reason, new Error(reason), subjects()));
      }
      let slot: PaceSlot;
      timeline.askedAt = Date.now();
      try {
        // A batch of ad-hoc emails not yet sent gives way to reminders: given back, its loop claims them.
        slot = await pacer.acquire({ urgent, giveWay: !urgent && !frozen, signal: stopping.signal, aheadMs: FREEZE_LEAD_MS });
        standingBy.end();
      } catch (error) {
        if (!running) return false;
        if (error instanceof GaveWayError) return (await persist(lease, async () => (await store.unbatch(lease), true))) === true;
        throw error;
      }
      timeline.grantedAt = Date.now();
      timeline.opensAt = slot.opensAt;
      const ready = await readyToSend(lease, slot);
      if (ready !== "send") {
        await slot.settle({ unused: true }).catch(() => undefined);
        if (ready === "stop") return false;
        continue;
      }
      let outcome: Outcome;
      try {
        // Not waited for: the place is already held until the answer, and nothing may stand
        // between the opening and the socket write.
        void slot.sending().catch(() => undefined);
        timeline.sentAt = Date.now();
        outcome = await send(transport, batch.id, request, members);
        timeline.answeredAt = Date.now();
      } catch (error) {
        timeline.answeredAt = Date.now();
        const verdict = judgeFailure(error, maybeSent);
        if (verdict.kind === "wait") {
          timeline.refusals += 1;
          // A 429: Resend sent nothing; every copy holds back for retry-after, then the same request goes again.
          await slot.settle({ retryAfterMs: verdict.waitMs }).catch(() => undefined);
          await pause(verdict.waitMs);
          continue;
        }
        // Answered otherwise (or not at all): Resend may have counted it; its place is now.
        await slot.settle({}).catch(() => undefined);
        if (verdict.kind === "final") {
          return record(lease, () => store.finish(lease, [], members.map((m) => ({ subject: m.subject, error }))));
        }
        if (verdict.kind === "unknown") {
          log(`batch sender: ${batch.id} left unknown: ${verdict.reason}`);
          return record(lease, () => store.markUnknown(lease, verdict.reason, error, subjects()));
        }
        // Resend may have accepted it: from now on a refusal proves nothing, only a replay does.
        maybeSent = true;
        const attempt = await persist(lease, () => store.countAttempt(lease, error, subjects()));
        if (attempt === undefined) return false;
        progress(true);
        await pause(Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(attempt, 8)));
        continue;
      }
      await slot.settle({ rate: outcome.rate }).catch(() => undefined);
      const recorded = await record(lease, () => store.finish(lease, outcome.accepted, outcome.refused));
      if (recorded) options.onRequest?.({ ...timeline, emails: members.length, recordedAt: Date.now() });
      return recorded;
    }

    // With its slot taken: the batch frozen (unless it was already), then the wait for the slot's
    // opening and the due time, so the request leaves at the later of the two with nothing left to do.
    async function readyToSend(held: HeldLease, slot: PaceSlot): Promise<"send" | "stop" | "again"> {
      if (!frozen) {
        // Frozen in one short statement (a slow transaction here would delay the request past its
        // opening); from this commit on, the body is fixed. A member gone stale since the body was
        // stored is dropped first.
        const unchanged = await persist(held, () => store.freezeIfUnchanged(held));
        if (unchanged === undefined) return "stop";
        if (!unchanged) {
          const pruned = await persist(held, () => store.prune(held, members, encodeBody, true));
          if (!pruned) return "stop";
          prepared(pruned);
          if (members.length === 0) return "again";
        }
        frozen = true;
        timeline.frozenAt = Date.now();
      }
      if (!(await until(Math.max(slot.opensAt, timeline.dueAt))) || !held.held) return "stop";
      return "send";
    }
  }

  // The due time of a batch: when its last reminder falls due (0 without reminders or without a lead).
  function dueAtOf(members: readonly BatchMember[]): number {
    const lead = options.reminderLeadMs;
    if (lead === undefined) return 0;
    return Math.max(0, ...members.map((m) => (m.priority === REMINDER_PRIORITY && m.callDateTime ? m.callDateTime.getTime() - lead : 0)));
  }

  // Waits until `at` (epoch ms): never returns earlier. False when stopped meanwhile.
  async function until(at: number): Promise<boolean> {
    while (running && Date.now() < at) await pause(at - Date.now());
    return running;
  }

  // Runs one write of the batch in hand, again and again while PostgreSQL is away; gives up (the
  // next holder resends the same request and gets Resend's replayed answer) once the lease is no
  // longer held, another copy has the batch, or the loop stops.
  async function persist<T>(lease: HeldLease, write: () => Promise<T>): Promise<T | undefined> {
    for (;;) {
      try {
        const result = await write();
        failures.recovered();
        return result;
      } catch (error) {
        if (error instanceof LeaseLostError) return undefined;
        failures.failed(error);
        if (!running || !lease.held) return undefined;
        await pause(STEP_RETRY_MS);
        if (!running || !lease.held) return undefined;
      }
    }
  }

  async function record(lease: HeldLease, write: () => Promise<void>): Promise<boolean> {
    const written = (await persist(lease, async () => (await write(), true))) === true;
    if (written) progress(true);
    return written;
  }

  return {
    async stop() {
      running = false;
      stopping.abort();
      wake?.();
      const timeoutMs = options.stopTimeoutMs ?? 10_000;
      let timer: NodeJS.Timeout | undefined;
      const finished = await Promise.race([loop.then(() => true), new Promise<false>((r) => (timer = setTimeout(() => r(false), timeoutMs)))]);
      clearTimeout(timer);
      // Its batch stays in PostgreSQL; its lease lapses and another copy takes it over.
      if (!finished) log(`batch sender: step still running after ${timeoutMs} ms; leaving its batch to its lease`);
    },
    nudge() {
      // Only the idle wait: a wait for a due time, a retry-after or a backoff keeps its length.
      if (!idle) return;
      idleWaitMs = pollMs;
      wake?.();
    },
    health: () => ({ lastProgressAt, workDue }),
  };
}

/** The request a batch frozen earlier sends again: its stored body (or, frozen before bodies were stored, its members encoded). */
function storedRequest(transport: MailTransport, batch: Batch): EncodedBatch | null {
  if (batch.requestBody !== null) return { body: batch.requestBody, count: batch.members.length };
  return encode(transport, batch.members);
}

const encode = (transport: MailTransport, members: readonly BatchMember[]): EncodedBatch | null =>
  transport.encodeBatch && members.length > 0 ? transport.encodeBatch(members.map((m) => m.message)) : null;

// Permissive validation: one refused address does not hold back the others. Without a batch
// endpoint (the console transport), each email goes alone under its own key.
async function send(transport: MailTransport, batchId: string, request: EncodedBatch | null, members: BatchMember[]): Promise<Outcome> {
  let result: BatchResult;
  if (transport.sendBatch && request) {
    result = await transport.sendBatch(request, { idempotencyKey: batchId, permissive: true });
  } else {
    const ids: string[] = [];
    for (const m of members) ids.push((await transport.send(m.message, { idempotencyKey: m.subject.idempotencyKey })).id);
    result = { ids, errors: [] };
  }
  const outcome: Outcome = { accepted: [], refused: [], rate: result.rate };
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

// During an outage every step fails the same way each second: one line when it starts, one when it ends.
function failureLog(log: (line: string) => void) {
  let failing: string | undefined;
  let count = 0;
  return {
    failed(error: unknown) {
      const message = error instanceof Error ? error.message : String(error);
      count += 1;
      if (message !== failing) log(`batch sender: ${message}; retrying`);
      failing = message;
    },
    recovered() {
      if (failing !== undefined) log(`batch sender: recovered after ${count} failed step(s)`);
      failing = undefined;
      count = 0;
    },
  };
}
