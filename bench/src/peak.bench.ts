// Peak-hour benchmark (`pnpm bench:peak`), at production settings: the Resend stand-in enforces
// 2 requests/s (429 + retry-after above it), BENCH_PEAK_WORKERS real email-worker processes run at
// their default EMAIL_RATE_LIMIT_PER_SECOND (2). BENCH_PEAK_CALLS calls start at the same moment,
// so all their reminders fall due together; BENCH_PEAK_ADHOC ad-hoc emails are enqueued at once
// just before. Lateness = Resend's receipt of a reminder email − its due time. Beside it, in the
// same run, today's design: one request per reminder (EMAIL_BATCH_SIZE=2), at BENCH_PEAK_BASELINE_CALLS.
// Rounds alternate nothing (each is a fresh peak); medians over BENCH_PEAK_ROUNDS rounds.
import { Redis } from "ioredis";
import { createDb, log, runMigrations, type DbHandle } from "@callastar/db";
import { Producer } from "@callastar/queues";
import { startResendStandin, type ResendStandin } from "@callastar/standins";
import { spawnApp, type AppProcess } from "@callastar/testing";
import { eq } from "drizzle-orm";
import { freshDatabase } from "./lib/bench-database";
import { emailWorkerBenchEnv } from "./lib/email-worker-env";
import { median } from "./lib/figures";
import { peakBenchEnv as env } from "./lib/peak-env";
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
}

/** Email-worker processes on a database and prefix, at the worker's default rate limit. */
function startWorkers(url: string, prefix: string, resend: ResendStandin, extra: Record<string, string>): AppProcess[] {
  return Array.from({ length: env.workers }, () =>
    spawnApp("email-worker", emailWorkerBenchEnv({ url, redisUrl: env.redisUrl, prefix, resend }, extra)),
  );
}

/** One peak: `calls` calls at the same moment, `adhoc` ad-hoc emails enqueued 1 s before they fall due. */
async function peak(db: DbHandle, producer: Producer, resend: ResendStandin, calls: number, adhoc: number): Promise<PeakResult> {
  resend.reset();
  const due = Date.now() + env.leadInSeconds * 1000;
  const callAt = new Date(due + LEAD_MS);
  const ids = await seedBookings(db, Array.from({ length: calls }, () => callAt));
  for (let i = 0; i < ids.length; i += 500) {
    await Promise.all(ids.slice(i, i + 500).map((id) => producer.scheduleBookingReminder({ bookingId: id, callDateTime: callAt })));
  }
  if (Date.now() > due - 2_000) throw new Error("scheduling took longer than the lead-in: raise BENCH_PEAK_LEAD_IN_S");
  await sleep(due - 1_000 - Date.now());
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
  while (reminderDeliveries().length < 2 * calls && Date.now() < deadline) await sleep(250);

  const mine = new Set(ids);
  const perEmail = new Map<string, number>();
  const late: number[] = [];
  const lastPerBooking = new Map<string, number>();
  const emailsPerBooking = new Map<string, number>();
  const requests = new Set<string>();
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
  };
}

/** `rounds` peaks against fresh workers on one database; the ad-hoc backlog is dropped between rounds. */
async function series(name: string, url: string, workerEnv: Record<string, string>, calls: number, adhoc: number, rounds: number): Promise<PeakResult[]> {
  const resend = await startResendStandin({ rateLimitPerSecond: RESEND_RATE });
  const prefix = `bench-peak-${name}-${Date.now().toString(36)}`;
  const workers = startWorkers(url, prefix, resend, workerEnv);
  const redis = new Redis(env.redisUrl, { maxRetriesPerRequest: null });
  const producer = new Producer({ connection: redis, prefix });
  const db = createDb(url, { max: 4 });
  const results: PeakResult[] = [];
  try {
    await Promise.all(workers.map((w) => w.waitForOutput("consuming", 120_000)));
    for (let round = 1; round <= rounds; round++) {
      const r = await peak(db, producer, resend, calls, adhoc);
      results.push(r);
      say(
        `  ${name} round ${round}: ${r.emails} reminder emails in ${r.requests} requests (${r.reqPerSecond.toFixed(2)} req/s accepted), ` +
          `lateness p50 ${s1(r.p50)} s, p99 ${s1(r.p99)} s, max ${s1(r.max)} s; ${r.remindersPerSecond.toFixed(1)} reminders/s; ` +
          `early ${r.early}, skipped ${r.skipped}, duplicated ${r.duplicated}; ad-hoc delivered meanwhile ${r.adhocDelivered}, 429s ${resend.rateLimited}`,
      );
      await producer.queue("emails").drain(true);
    }
  } finally {
    for (const w of workers) w.child.kill("SIGTERM");
    await Promise.all(workers.map((w) => w.exited));
    await producer.queue("emails").obliterate({ force: true }).catch(() => {});
    await producer.queue("reminders").obliterate({ force: true }).catch(() => {});
    await producer.close();
    redis.disconnect();
    await resend.close();
    await db.close();
  }
  return results;
}

async function main() {
  const started = Date.now();
  const url = await freshDatabase(env.adminDatabaseUrl, "callastar_bench_peak");
  await runMigrations(url);
  say(
    `peak benchmark: Resend stand-in at ${RESEND_RATE} req/s (429 above), ${env.workers} email-worker processes at their default ` +
      `EMAIL_RATE_LIMIT_PER_SECOND (2), ${env.rounds} round(s)`,
  );
  let baselineLine = "";
  let baseRate = 0;
  if (env.baselineCalls > 0) {
    say(`\nbaseline (today's design, one request per reminder: EMAIL_BATCH_SIZE=2): ${env.baselineCalls} calls, no ad-hoc`);
    const base = await series("one-per-reminder", url, { EMAIL_BATCH_SIZE: "2" }, env.baselineCalls, 0, 1);
    const b = base[0]!;
    const rate = b.remindersPerSecond;
    baseRate = rate;
    // A reminder is due 15 minutes before its call: past rate × 900 s, the last calls' reminders come after they start.
    baselineLine =
      `baseline: one request per reminder, ${b.calls} calls: ${rate.toFixed(2)} reminders/s (max lateness ${s1(b.max)} s); ` +
      `at that rate ${env.calls} calls take ${Math.round(env.calls / rate)} s (max lateness), and past ${Math.round(rate * LEAD_MS / 1000)} calls ` +
      `the last reminders arrive after their call started`;
    say(`  ${baselineLine}`);
  }
  say(`\nbatched (EMAIL_BATCH_SIZE=100): ${env.calls} calls${env.adhoc ? ` + ${env.adhoc} ad-hoc emails enqueued at once beside them` : ""}`);
  const runs = await series("batched", url, {}, env.calls, env.adhoc, env.rounds);
  const m = (f: (r: PeakResult) => number) => median(runs.map(f));
  const sum = (f: (r: PeakResult) => number) => runs.reduce((a, r) => a + f(r), 0);
  const ratio = baseRate ? ` (${(m((r) => r.remindersPerSecond) / baseRate).toFixed(0)}× the baseline's rate)` : "";
  say(`\nmedians of ${runs.length} round(s): ${m((r) => r.remindersPerSecond).toFixed(1)} reminders/s${ratio}; total ${Math.round((Date.now() - started) / 1000)} s`);
  if (baselineLine) say(baselineLine);
  say(
    `peak: ${env.calls} calls, ${m((r) => r.emails)} emails in ${m((r) => r.requests)} requests at ${m((r) => r.reqPerSecond).toFixed(2)} req/s; ` +
      `lateness p50 ${s1(m((r) => r.p50))} s, p99 ${s1(m((r) => r.p99))} s, max ${s1(m((r) => r.max))} s; ` +
      `early ${sum((r) => r.early)}, skipped ${sum((r) => r.skipped)}, duplicated ${sum((r) => r.duplicated)}`,
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error("peak benchmark failed:", error);
    process.exit(1);
  },
);
