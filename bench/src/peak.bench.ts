// Peak-hour benchmark (`pnpm build` then `pnpm bench:peak`), at production settings: the Resend
// stand-in enforces a sliding 2 requests/s window per team (429 + retry-after above it),
// BENCH_PEAK_WORKERS email-worker processes run from their compiled bundle (dist/main.js) at their
// defaults. BENCH_PEAK_CALLS calls start at the same moment, so all their reminders fall due
// together; the mixed run queues BENCH_PEAK_ADHOC ad-hoc emails at once 1 s before. Lateness =
// Resend's receipt of a reminder email − its due time. Beside it, in the same run, one request per
// reminder (EMAIL_BATCH_SIZE=2), at BENCH_PEAK_BASELINE_CALLS. The ad-hoc run enqueues
// BENCH_PEAK_ADHOC_BURST ad-hoc emails at once and times the last delivery (target 60 s, floor
// 25 s: 5,000 emails / 100 per request / 2 requests per second). Medians over BENCH_PEAK_ROUNDS rounds.
// Every worker is stopped with SIGTERM at the end of each series (in the mixed one, with its
// ad-hoc backlog still waiting): exit codes and times are printed.
import { Redis } from "ioredis";
import { createDb, log, runMigrations, type DbHandle } from "@callastar/db";
import { Producer } from "@callastar/producer";
import { startResendStandin, type ResendStandin } from "@callastar/standins";
import { existsSync } from "node:fs";
import { loadavg } from "node:os";
import { resolve } from "node:path";
import { dropDatabase, spawnProcess, type AppProcess } from "@callastar/testing";
import { eq } from "drizzle-orm";
import { freshDatabase } from "./lib/bench-database";
import { emailWorkerBenchEnv } from "./lib/email-worker-env";
import { median } from "./lib/figures";
import { peakBenchEnv as env } from "./lib/peak-env";
import { breakdown, stepLine, timelinesIn, type PeakBreakdown } from "./lib/peak-breakdown";
import { percentile } from "./lib/percentiles";
import { seedBookings } from "./lib/seed-bookings";

const LEAD_MS = 15 * 60_000;
const RESEND_RATE = 2;
const say = (line: string) => console.log(line);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const s1 = (ms: number) => (ms / 1000).toFixed(1);
const BOOKING_IN_HTML = /\/bookings\/([a-z0-9]+)/;

interface PeakResult {
  calls: number;
  emails: number;
  requests: number;
  reqPerSecond: number;
  p50: number;
  p99: number;
  max: number;
  early: number;
  skipped: number;
  duplicated: number;
  /** Reminders fully delivered per second of the peak (last email's lateness). */
  remindersPerSecond: number;
  adhocDelivered: number;
  /** 429s the stand-in answered during the round. */
  refused: number;
  /** Reminder emails per request over the emails a full request carries (100). */
  fill: number;
  /** When each reminder request reached Resend, ms after the due time. */
  requestTimes: number[];
  /** Where the time between requests went (stand-in receipts joined with the workers' timelines). */
  breakdown: PeakBreakdown | undefined;
  /** The 1-minute load average at the end of the round. */
  load: number;
}

const WORKER_DIR = resolve(__dirname, "../../apps/email-worker");
const BUNDLE = "dist/main.js";

/** Email-worker processes on a database and prefix, at the worker's default rate limit. */
function startWorkers(url: string, prefix: string, resend: ResendStandin, extra: Record<string, string>): AppProcess[] {
  if (!existsSync(resolve(WORKER_DIR, BUNDLE))) throw new Error(`apps/email-worker/${BUNDLE} is missing: run pnpm build first`);
  return Array.from({ length: env.workers }, () =>
    spawnProcess("email-worker", WORKER_DIR, process.execPath, [BUNDLE], emailWorkerBenchEnv({ url, redisUrl: env.redisUrl, prefix, resend }, extra)),
  );
}

/** One peak: `calls` calls at the same moment, `adhoc` ad-hoc emails enqueued 1 s before they fall due. */
async function peak(db: DbHandle, producer: Producer, resend: ResendStandin, workers: readonly AppProcess[], calls: number, adhoc: number): Promise<PeakResult> {
  resend.reset();
  const due = Date.now() + (env.leadInSeconds || 20 + Math.ceil(calls / 50)) * 1000;
  const callAt = new Date(due + LEAD_MS);
  const ids = await seedBookings(db, Array.from({ length: calls }, () => callAt));
  for (let i = 0; i < ids.length; i += 500) {
    await Promise.all(ids.slice(i, i + 500).map((id) => producer.scheduleBookingReminder({ bookingId: id, callDateTime: callAt })));
  }
  if (Date.now() > due - 2_000) throw new Error("scheduling took longer than the lead-in: raise BENCH_PEAK_LEAD_IN_S");
  await sleep(due - 1_000 - Date.now());
  const [queued] = await db.sql<Array<{ n: number }>>`SELECT count(*)::int AS n FROM "PendingEmail"`;
  say(`    1 s before due: ${queued!.n} of ${2 * calls} reminder emails prepared; load average ${loadavg()[0]!.toFixed(1)}`);
  const tag = Date.now().toString(36);
  for (let i = 0; i < adhoc; i += 500) {
    await Promise.all(
      Array.from({ length: Math.min(500, adhoc - i) }, (_, k) =>
        producer.enqueueEmail({
          template: "payment_received",
          props: { recipientName: `Fan ${i + k}`, amount: 1_000, currency: "EUR" },
          to: `adhoc${i + k}@bench.test`,
          idempotencyKey: `bench-adhoc:${tag}:${i + k}`,
        }),
      ),
    );
  }
  // Every reminder delivered, or long past what the slowest design would need.
  const deadline = due + Math.max(120_000, calls * 1_000);
  const reminderDeliveries = () => resend.deliveries.filter((d) => d.html && BOOKING_IN_HTML.test(d.html));
  // Counted as they come, by recipient (reminders and ad-hoc emails share batches): scanning every
  // html here each poll stalled the stand-in, which runs in this process, by tens of ms.
  const reminders = counter(resend, (to) => !to.startsWith("adhoc"));
  while (reminders() < 2 * calls && Date.now() < deadline) await sleep(250);

  const mine = new Set(ids);
  const perEmail = new Map<string, number>();
  const late: number[] = [];
  const lastPerBooking = new Map<string, number>();
  const emailsPerBooking = new Map<string, number>();
  const requests = new Set<string>();
  const firstSeen = new Map<string, number>();
  for (const d of reminderDeliveries()) {
    const id = BOOKING_IN_HTML.exec(d.html!)![1]!;
    if (!mine.has(id)) continue;
    const at = Date.parse(d.receivedAt) - due;
    late.push(at);
    lastPerBooking.set(id, Math.max(lastPerBooking.get(id) ?? -Infinity, at));
    emailsPerBooking.set(id, (emailsPerBooking.get(id) ?? 0) + 1);
    const key = `${id}→${String(d.to)}`;
    perEmail.set(key, (perEmail.get(key) ?? 0) + 1);
    requests.add(d.idempotencyKey ?? d.id);
    if (!firstSeen.has(d.idempotencyKey ?? d.id)) firstSeen.set(d.idempotencyKey ?? d.id, at);
  }
  const lastMs = Math.max(...late);
  // Every request Resend accepted from the due time to the last reminder, reminders and ad-hoc alike: the shared budget.
  const during = (d: { receivedAt: string }) => Date.parse(d.receivedAt) >= due && Date.parse(d.receivedAt) <= due + lastMs;
  const accepted = new Set(resend.deliveries.filter(during).map((d) => d.idempotencyKey ?? d.id));
  // Skipped: a skip row written (cancelled, call started, …) or not both emails delivered by the deadline.
  const skipRows = await db.db.select({ c: log.context }).from(log).where(eq(log.type, "NOTIFICATION_SENT"));
  const skipped = new Set(skipRows.map((r) => String((r.c as { bookingId?: string } | null)?.bookingId)).filter((id) => mine.has(id)));
  for (const id of ids) if ((emailsPerBooking.get(id) ?? 0) < 2) skipped.add(id);
  return {
    calls,
    emails: late.length,
    requests: requests.size,
    reqPerSecond: accepted.size / Math.max(1, lastMs / 1000),
    p50: percentile(late, 50),
    p99: percentile(late, 99),
    max: lastMs,
    early: late.filter((x) => x < 0).length,
    skipped: skipped.size,
    duplicated: [...perEmail.values()].filter((n) => n > 1).length,
    remindersPerSecond: lastPerBooking.size / Math.max(0.001, lastMs / 1000),
    adhocDelivered: resend.deliveries.filter((d) => during(d) && String(d.to).startsWith("adhoc")).length,
    refused: resend.rateLimited,
    fill: late.length / Math.max(1, requests.size) / 100,
    requestTimes: [...firstSeen.values()].sort((a, b) => a - b),
    breakdown: breakdown(resend.requestLog, timelinesIn(workers.map((w) => w.output())), due),
    load: loadavg()[0]!,
  };
}

/** Counts the stand-in's deliveries whose recipient matches, scanning each delivery once. */
function counter(resend: ResendStandin, match: (to: string) => boolean): () => number {
  let scanned = 0;
  let n = 0;
  return () => {
    for (; scanned < resend.deliveries.length; scanned++) if (match(String(resend.deliveries[scanned]!.to))) n++;
    return n;
  };
}

interface BurstResult {
  emails: number;
  delivered: number;
  duplicated: number;
  /** Enqueued, not delivered by the deadline. */
  lost: number;
  /** The last delivery, ms after the first enqueue. */
  lastMs: number;
  enqueueMs: number;
  requests: number;
  refused: number;
  fill: number;
  /** EmailDelivery rows and EMAIL_SENT rows of the burst: one each per email. */
  recorded: number;
  sentRows: number;
}

/** The ad-hoc run: `n` ad-hoc emails enqueued at once through the producer, timed to the last delivery. */
async function burst(db: DbHandle, producer: Producer, resend: ResendStandin, n: number): Promise<BurstResult> {
  resend.reset();
  const tag = Date.now().toString(36);
  const mine = (to: string) => to.startsWith(`burst-${tag}-`);
  const delivered = counter(resend, mine);
  const started = Date.now();
  for (let i = 0; i < n; i += 500) {
    await Promise.all(
      Array.from({ length: Math.min(500, n - i) }, (_, k) =>
        producer.enqueueEmail({
          template: "payment_received",
          props: { recipientName: `Fan ${i + k}`, amount: 1_000, currency: "EUR" },
          to: `burst-${tag}-${i + k}@bench.test`,
          idempotencyKey: `bench-burst:${tag}:${i + k}`,
        }),
      ),
    );
  }
  const enqueueMs = Date.now() - started;
  const deadline = started + Math.max(180_000, n * 60);
  while (delivered() < n && Date.now() < deadline) await sleep(250);
  // Drained to a known point (nothing queued or batched), so a late duplicate would be counted.
  while (Date.now() < deadline) {
    const [left] = await db.sql<Array<{ n: number }>>`SELECT (SELECT count(*) FROM "PendingEmail")::int + (SELECT count(*) FROM "EmailBatch")::int AS n`;
    if (left!.n === 0) break;
    await sleep(250);
  }
  const ours = resend.deliveries.filter((d) => mine(String(d.to)));
  const perEmail = new Map<string, number>();
  for (const d of ours) perEmail.set(String(d.to), (perEmail.get(String(d.to)) ?? 0) + 1);
  const requests = new Set(ours.map((d) => d.idempotencyKey ?? d.id)).size;
  const [rows] = await db.sql<Array<{ recorded: number; sent: number }>>`
    SELECT (SELECT count(*)::int FROM "EmailDelivery" WHERE "idempotencyKey" LIKE ${`bench-burst:${tag}:%`}) AS recorded,
      (SELECT count(*)::int FROM "Log" WHERE id LIKE ${`email-sent:bench-burst:${tag}:%`}) AS sent`;
  return {
    emails: n,
    delivered: perEmail.size,
    duplicated: [...perEmail.values()].filter((c) => c > 1).length,
    lost: n - perEmail.size,
    lastMs: Math.max(0, ...ours.map((d) => Date.parse(d.receivedAt) - started)),
    enqueueMs,
    requests,
    refused: resend.rateLimited,
    fill: ours.length / Math.max(1, requests) / 100,
    recorded: rows!.recorded,
    sentRows: rows!.sent,
  };
}

interface SeriesContext {
  db: DbHandle;
  producer: Producer;
  resend: ResendStandin;
  workers: AppProcess[];
}

/**
 * Fresh workers on one database and prefix for a series of rounds, stopped with SIGTERM at the end
 * (exit codes printed, after `atStop`'s description of what was still waiting then).
 */
async function withWorkers<T>(
  name: string,
  url: string,
  workerEnv: Record<string, string>,
  rounds: number,
  round: (ctx: SeriesContext, n: number) => Promise<T>,
  atStop: (ctx: SeriesContext) => Promise<string> = async () => "",
): Promise<T[]> {
  const resend = await startResendStandin({ rateLimitPerSecond: RESEND_RATE });
  const prefix = `bench-peak-${name}-${Date.now().toString(36)}`;
  const workers = startWorkers(url, prefix, resend, workerEnv);
  const redis = new Redis(env.redisUrl, { maxRetriesPerRequest: null });
  const producer = new Producer({ connection: redis, prefix });
  const db = createDb(url, { max: 4 });
  const ctx = { db, producer, resend, workers };
  const results: T[] = [];
  try {
    await Promise.all(workers.map((w) => w.waitForOutput("consuming", 120_000)));
    for (let n = 1; n <= rounds; n++) results.push(await round(ctx, n));
  } finally {
    const waiting = await atStop(ctx).catch(() => "");
    const stopAt = Date.now();
    for (const w of workers) w.child.kill("SIGTERM");
    const codes = await Promise.all(workers.map((w) => w.exited.then((code) => `${code} in ${s1(Date.now() - stopAt)} s`)));
    say(`  ${name}: SIGTERM${waiting}: exit ${codes.join(", ")}`);
    await producer.queue("emails").drain(true).catch(() => {});
    await producer.queue("emails").obliterate({ force: true }).catch(() => {});
    await producer.queue("reminders").obliterate({ force: true }).catch(() => {});
    await producer.close();
    redis.disconnect();
    await resend.close();
    await db.close();
  }
  return results;
}

/** `rounds` peaks against fresh workers on one database; the ad-hoc backlog is dropped between rounds. */
function series(name: string, url: string, workerEnv: Record<string, string>, calls: number, adhoc: number, rounds: number): Promise<PeakResult[]> {
  return withWorkers(
    name,
    url,
    workerEnv,
    rounds,
    async ({ db, producer, resend, workers }, round) => {
      const r = await peak(db, producer, resend, workers, calls, adhoc);
      say(
        `  ${name} round ${round}: ${r.emails} reminder emails in ${r.requests} requests (${r.reqPerSecond.toFixed(2)} req/s accepted), ` +
          `lateness p50 ${s1(r.p50)} s, p99 ${s1(r.p99)} s, max ${s1(r.max)} s; ${r.remindersPerSecond.toFixed(1)} reminders/s; ` +
          `early ${r.early}, skipped ${r.skipped}, duplicated ${r.duplicated}; batch fill ${(r.fill * 100).toFixed(0)}%; ` +
          `ad-hoc delivered meanwhile ${r.adhocDelivered}; 429s ${r.refused}\n    requests at (s after due): ${r.requestTimes.map(s1).join(" ")}`,
      );
      if (r.breakdown) say(`    where the time went, per request:\n${r.breakdown.lines.join("\n")}\n    ${stepLine(r.breakdown)}`);
      // The last round's ad-hoc backlog stays: the workers are stopped while it waits.
      if (round < rounds) await dropAdhocBacklog(db, producer);
      return r;
    },
    async ({ db, producer }) => {
      const waiting = await producer.queue("emails").getWaitingCount().catch(() => -1);
      const [queued] = await db.sql<Array<{ n: number }>>`SELECT count(*)::int AS n FROM "PendingEmail" WHERE priority = 1`.catch(() => [{ n: -1 }]);
      return ` with ${waiting} ad-hoc jobs waiting and ${queued!.n} ad-hoc emails queued`;
    },
  );
}

/** The mixed run's leftover ad-hoc emails, dropped between rounds: their jobs, then their queued rows once no batch is open. */
async function dropAdhocBacklog(db: DbHandle, producer: Producer): Promise<void> {
  await producer.queue("emails").drain(true);
  for (let i = 0; i < 5; i++) await db.sql`DELETE FROM "PendingEmail" WHERE priority = 1 AND "batchId" IS NULL`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && (await db.sql`SELECT 1 FROM "EmailBatch" LIMIT 1`).length > 0) await sleep(250);
  await db.sql`DELETE FROM "PendingEmail" WHERE priority = 1`;
}

/** One line of medians over a series' rounds. */
function summary(label: string, runs: readonly PeakResult[]): string {
  const m = (f: (r: PeakResult) => number) => median(runs.map(f));
  const sum = (f: (r: PeakResult) => number) => runs.reduce((a, r) => a + f(r), 0);
  return (
    `${label} (median of ${runs.length}, load average ${Math.min(...runs.map((r) => r.load)).toFixed(0)}-${Math.max(...runs.map((r) => r.load)).toFixed(0)}): ` +
    `${m((r) => r.emails)} emails in ${m((r) => r.requests)} requests (fill ${(m((r) => r.fill) * 100).toFixed(0)}%, ${m((r) => r.reqPerSecond).toFixed(2)} req/s), ` +
    `lateness p50 ${s1(m((r) => r.p50))} s, p99 ${s1(m((r) => r.p99))} s, max ${s1(m((r) => r.max))} s; 429s ${sum((r) => r.refused)} in all; ` +
    `early ${sum((r) => r.early)}, skipped ${sum((r) => r.skipped)}, duplicated ${sum((r) => r.duplicated)}` +
    stepsOf(runs)
  );
}

/** The breakdown's medians over rounds, as the tail of a summary line. */
function stepsOf(runs: readonly PeakResult[]): string {
  const all = runs.flatMap((r) => (r.breakdown ? [r.breakdown] : []));
  if (all.length === 0) return "";
  const m = (f: (b: PeakBreakdown) => number) => median(all.map(f));
  const step = { total: m((b) => b.step.total), answer: m((b) => b.step.answer), pacer: m((b) => b.step.pacer), notReady: m((b) => b.step.notReady), afterSlot: m((b) => b.step.afterSlot), transit: m((b) => b.step.transit) };
  return `\n  ${stepLine({ step, firstSentMs: m((b) => b.firstSentMs), firstCountedMs: m((b) => b.firstCountedMs) })}`;
}

// A database of this run's own (BENCH_PEAK_DATABASE_NAME, or one named after the process): the batch
// sender works from PostgreSQL alone, so two runs sharing one (two engineers on one server) sent
// each other's emails, and a run recreating it dropped the other's. Dropped at the end.
const DB_NAME = env.databaseName ?? `callastar_bench_peak_${process.pid}`;

async function main() {
  const started = Date.now();
  const url = await freshDatabase(env.adminDatabaseUrl, DB_NAME);
  await runMigrations(url);
  say(
    `peak benchmark: Resend stand-in with a sliding ${RESEND_RATE} requests/s window (429 above), ${env.workers} compiled email-worker ` +
      `processes at their defaults, ${env.rounds} round(s); PostgreSQL ${new URL(env.adminDatabaseUrl).host}, Redis ${new URL(env.redisUrl).host}`,
  );
  const lines: string[] = [];
  let baseRate = 0;
  if (env.baselineCalls > 0) {
    say(`\nbaseline: one request per reminder (EMAIL_BATCH_SIZE=2): ${env.baselineCalls} calls`);
    const [b] = await series("one-per-reminder", url, { EMAIL_BATCH_SIZE: "2" }, env.baselineCalls, 0, 1);
    baseRate = b!.remindersPerSecond;
    lines.push(`baseline: one request per reminder: ${baseRate.toFixed(2)} reminders/s; at that rate ${env.calls} calls take ${Math.round(env.calls / baseRate)} s`);
  }
  say(`\n${env.calls} calls, batched`);
  const runs = await series("peak", url, {}, env.calls, 0, env.rounds);
  lines.push(summary(`${env.calls} calls`, runs));
  if (baseRate) lines.push(`  ${(median(runs.map((r) => r.remindersPerSecond)) / baseRate).toFixed(0)}× the baseline's reminders/s`);
  if (env.adhoc > 0) {
    say(`\nmixed: ${env.calls} calls with ${env.adhoc} ad-hoc emails queued at once 1 s before they fall due`);
    const mixed = await series("mixed", url, {}, env.calls, env.adhoc, env.rounds);
    lines.push(summary(`mixed ${env.calls} calls + ${env.adhoc} ad-hoc`, mixed) + `; ad-hoc delivered meanwhile ${median(mixed.map((r) => r.adhocDelivered))}`);
  }
  if (env.adhocBurst > 0) {
    say(`\nad-hoc: ${env.adhocBurst} ad-hoc emails enqueued at once, no peak`);
    const bursts = await withWorkers("adhoc", url, {}, env.rounds, async ({ db, producer, resend }, round) => {
      const r = await burst(db, producer, resend, env.adhocBurst);
      say(
        `  adhoc round ${round}: ${r.delivered} of ${r.emails} delivered, last ${s1(r.lastMs)} s after the first enqueue (enqueued in ${s1(r.enqueueMs)} s); ` +
          `${r.requests} requests, batch fill ${(r.fill * 100).toFixed(0)}%, 429s ${r.refused}; duplicated ${r.duplicated}, lost ${r.lost}; ` +
          `${r.recorded} EmailDelivery rows, ${r.sentRows} EMAIL_SENT rows; load average ${loadavg()[0]!.toFixed(1)}`,
      );
      return r;
    });
    const m = (f: (r: BurstResult) => number) => median(bursts.map(f));
    const sum = (f: (r: BurstResult) => number) => bursts.reduce((a, r) => a + f(r), 0);
    lines.push(
      `ad-hoc ${env.adhocBurst} at once (median of ${bursts.length}): last delivered ${s1(m((r) => r.lastMs))} s after enqueue (floor ${s1((env.adhocBurst / 100 / RESEND_RATE) * 1000)} s), ` +
        `${m((r) => r.requests)} requests (fill ${(m((r) => r.fill) * 100).toFixed(0)}%); 429s ${sum((r) => r.refused)} in all; ` +
        `duplicated ${sum((r) => r.duplicated)}, lost ${sum((r) => r.lost)}, unrecorded ${sum((r) => r.emails - Math.min(r.recorded, r.sentRows))}`,
    );
  }
  if (env.bigCalls > 0) {
    say(`\n${env.bigCalls} calls, batched`);
    const big = await series("big", url, {}, env.bigCalls, 0, 1);
    lines.push(summary(`${env.bigCalls} calls`, big));
  }
  say(`\ntotal ${Math.round((Date.now() - started) / 1000)} s; load average at the end ${loadavg().map((l) => l.toFixed(1)).join(" ")} (1, 5, 15 min)`);
  for (const line of lines) say(line);
  const m = (f: (r: PeakResult) => number) => median(runs.map(f));
  const sum = (f: (r: PeakResult) => number) => runs.reduce((a, r) => a + f(r), 0);
  say(
    `peak: ${env.calls} calls, ${m((r) => r.emails)} emails in ${m((r) => r.requests)} requests at ${m((r) => r.reqPerSecond).toFixed(2)} req/s; ` +
      `lateness p50 ${s1(m((r) => r.p50))} s, p99 ${s1(m((r) => r.p99))} s, max ${s1(m((r) => r.max))} s; ` +
      `early ${sum((r) => r.early)}, skipped ${sum((r) => r.skipped)}, duplicated ${sum((r) => r.duplicated)}`,
  );
}

main()
  .finally(() => dropDatabase(env.adminDatabaseUrl, DB_NAME).catch(() => undefined))
  .then(
    () => process.exit(0),
    (error: unknown) => {
      console.error("peak benchmark failed:", error);
      process.exit(1);
    },
  );
