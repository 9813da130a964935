// The quiet phase: faults off, wait on states — every entity final and every queue drained of the
// run's work — bounded by a timeout, never a fixed sleep. Then the cron schedulers are removed so
// nothing new starts while the run is judged.
import { QUEUE_NAMES, SCHEDULERS, SCHEDULER_IDS } from "@callastar/queues";
import { type Producer } from "@callastar/producer";
import type { Infra } from "./infra";
import { findLost } from "./verify";
import type { Workload } from "./workload";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Jobs still to run in every queue; scheduler runs waiting for their time do not count when `ignoreSchedulerRuns`. */
async function pendingJobs(producer: Producer, ignoreSchedulerRuns: boolean): Promise<string[]> {
  const pending: string[] = [];
  for (const name of QUEUE_NAMES) {
    const queue = producer.queue(name);
    const counts = await queue.getJobCounts("active", "waiting", "prioritized", "waiting-children", "delayed");
    let delayed = counts.delayed ?? 0;
    if (ignoreSchedulerRuns && delayed > 0) {
      const jobs = await queue.getDelayed(0, 1000);
      delayed = jobs.filter((j) => !String(j.id).startsWith("repeat:")).length;
    }
    const busy = Object.entries({ ...counts, delayed }).filter(([, n]) => (n ?? 0) > 0);
    if (busy.length) pending.push(`${name}: ${busy.map(([k, n]) => `${n} ${k}`).join(", ")}`);
  }
  return pending;
}

/**
 * Emails queued for the batch sender and not yet recorded: a `send-email` job completes once its email
 * is queued, and an email Resend accepted may still await its record (an answer lost, a holder
 * killed: the next holder replays the request). Emails of a batch left "unknown" are final (an
 * operator's to settle) and do not count.
 */
async function unrecordedEmails(infra: Infra): Promise<string[]> {
  const [row] = await infra.db.sql<Array<{ queued: number; batches: number }>>`
    SELECT (SELECT count(*)::int FROM "PendingEmail" p LEFT JOIN "EmailBatch" b ON b.id = p."batchId" WHERE b."unknownAt" IS NULL) AS queued,
      (SELECT count(*)::int FROM "EmailBatch" WHERE "unknownAt" IS NULL) AS batches`;
  return row && (row.queued > 0 || row.batches > 0) ? [`emails: ${row.queued} queued or in ${row.batches} batch(es) not yet recorded`] : [];
}

/** Waits until nothing is lost, every queued email is recorded, and the queues hold only scheduler runs; false on timeout. */
export async function waitUntilSettled(deps: {
  infra: Infra;
  producer: Producer;
  workload: Workload;
  timeoutMs: number;
  log: (line: string) => void;
}): Promise<{ settled: boolean; waitedMs: number }> {
  const started = Date.now();
  let lastReport = 0;
  for (;;) {
    let outstanding: string[];
    try {
      const lost = await findLost(deps.infra, deps.workload);
      const jobs = await pendingJobs(deps.producer, true);
      const emails = await unrecordedEmails(deps.infra);
      outstanding = [...(lost.length ? [`${lost.length} entities not final`] : []), ...emails, ...jobs];
    } catch (error) {
      outstanding = [`state unreadable: ${String(error)}`];
    }
    const waitedMs = Date.now() - started;
    if (outstanding.length === 0) return { settled: true, waitedMs };
    if (waitedMs > deps.timeoutMs) {
      deps.log(`quiet: not settled after ${Math.round(waitedMs / 1000)} s: ${outstanding.join("; ")}`);
      return { settled: false, waitedMs };
    }
    if (Date.now() - lastReport > 10_000) {
      lastReport = Date.now();
      const { resend, stripe, daily } = deps.infra;
      const done = `${resend.deliveries.length} emails, ${stripe.transfers.length} transfers, ${daily.deletions.length} deletions so far`;
      deps.log(`quiet +${Math.round(waitedMs / 1000)}s (${done}): ${outstanding.join("; ")}`);
    }
    await sleep(500);
  }
}

/** Removes every job scheduler (the scheduler process is stopped first) and waits for the queues to empty. */
export async function freezeCrons(producer: Producer, timeoutMs: number): Promise<string[]> {
  for (const id of SCHEDULER_IDS) await producer.queue(SCHEDULERS[id].queue).removeJobScheduler(id);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pending = await pendingJobs(producer, false);
    if (pending.length === 0 || Date.now() > deadline) return pending;
    await sleep(500);
  }
}
