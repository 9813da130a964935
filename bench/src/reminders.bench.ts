// Reminders benchmark (`pnpm bench:reminders`):
//  (a) BENCH_REMINDERS bookings whose reminders fall due across BENCH_WINDOW_S seconds, scheduled
//      through the producer API and sent by real email-worker processes (NODE_ENV=production) to
//      the Resend stand-in with the rate limit OFF on both sides (EMAIL_RATE_LIMIT_PER_SECOND=0):
//      the system's own overhead, not production (`pnpm bench:peak` runs with Resend's 2 req/s)
//      → lateness (delivery − due) p50/p99/max and how many early; beside it,
//      BullMQ's own delayed-job lateness for the same due times, measured in the same run;
//  (b) the send-booking-reminders sweep fanning out BENCH_SWEEP due bookings → jobs/s, beside raw
//      addBulk of the same jobs, alternating, BENCH_ROUNDS rounds, medians and the ratio.
import { writeFileSync } from "node:fs";
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { createDb } from "@callastar/db";
import { JOBS, jobIds } from "@callastar/queues";
import { Producer } from "@callastar/producer";
import { createResendTransport } from "@callastar/emails";
import { renderEmail } from "@callastar/emails/render";
import { startResendStandin } from "@callastar/standins";
import { spawnApp } from "@callastar/testing";
import { sweepBookingReminders } from "../../apps/email-worker/src/handlers/reminder-sweep";
import { freshDatabase } from "./lib/bench-database";
import { emailWorkerBenchEnv } from "./lib/email-worker-env";
import { median, table } from "./lib/figures";
import { percentile } from "./lib/percentiles";
import { remindersBenchEnv as env } from "./lib/reminders-env";
import { seedBookings } from "./lib/seed-bookings";
import { runMigrations } from "@callastar/db";

const LEAD_MS = 15 * 60_000;
const say = (line: string) => console.log(line);
const fmt = (n: number, d = 0) => n.toLocaleString("en", { minimumFractionDigits: d, maximumFractionDigits: d });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const stats = (xs: number[]) => ({ p50: percentile(xs, 50), p99: percentile(xs, 99), max: Math.max(...xs), early: xs.filter((x) => x < 0).length });

async function lateness(url: string): Promise<string[][]> {
  say(`\n(a) ${fmt(env.reminders)} reminders due across ${env.windowSeconds} s, ${env.workers} email-worker process(es)`);
  say(`  rate limit OFF (EMAIL_RATE_LIMIT_PER_SECOND=0, stand-in unlimited): not production settings; see pnpm bench:peak for Resend's 2 req/s`);
  const db = createDb(url, { max: 4 });
  const start = Date.now() + env.leadInSeconds * 1000;
  const calls = Array.from({ length: env.reminders }, (_, i) => new Date(start + LEAD_MS + Math.floor((i * env.windowSeconds * 1000) / env.reminders)));
  const ids = await seedBookings(db, calls);
  const dueById = new Map(ids.map((id, i) => [id, calls[i]!.getTime() - LEAD_MS]));
  await warmUpStandin();
  const resend = await startResendStandin({ rateLimitPerSecond: 0 });
  const prefix = `bench-rem-${Date.now().toString(36)}`;
  const workers = Array.from({ length: env.workers }, () =>
    spawnApp("email-worker", emailWorkerBenchEnv({ url, redisUrl: env.redisUrl, prefix, resend }, { EMAIL_RATE_LIMIT_PER_SECOND: "0", REMINDERS_CONCURRENCY: "100" }),
    env.workerNodeArgs),
  );
  const redis = new Redis(env.redisUrl, { maxRetriesPerRequest: null });
  const producer = new Producer({ connection: redis, prefix });
  try {
    await Promise.all(workers.map((w) => w.waitForOutput("consuming", 60_000)));
    const t0 = Date.now();
    for (let i = 0; i < ids.length; i += 500) {
      await Promise.all(ids.slice(i, i + 500).map((id, k) => producer.scheduleBookingReminder({ bookingId: id, callDateTime: calls[i + k]! })));
    }
    say(`  scheduled ${fmt(ids.length)} reminders in ${fmt(Date.now() - t0)} ms (first due in ${fmt(start - Date.now())} ms)`);
    const deadline = start + env.windowSeconds * 1000 + 180_000;
    while (resend.deliveries.length < 2 * ids.length && Date.now() < deadline) await sleep(500);
    const first = new Map<string, number>();
    const second = new Map<string, number>();
    for (const d of resend.deliveries) {
      // Reminders go out in cross-booking batches: an email is told by the booking link it carries.
      const id = /\/bookings\/([a-z0-9]+)/.exec(d.html ?? "")?.[1];
      if (!id) continue;
      const at = Date.parse(d.receivedAt);
      if (!first.has(id)) first.set(id, at);
      else second.set(id, at);
    }
    if (env.dumpFile) {
      // One line per booking (due ms, first email ms late, second email ms late), for plotting.
      const lines = [...first].map(([id, at]) => `${dueById.get(id)!},${at - dueById.get(id)!},${(second.get(id) ?? Number.NaN) - dueById.get(id)!}`);
      writeFileSync(env.dumpFile, `due,first,second\n${lines.sort().join("\n")}\n`);
    }
    const lateFirst = [...first].map(([id, at]) => at - dueById.get(id)!);
    const lateBoth = [...second].map(([id, at]) => at - dueById.get(id)!);
    const emails = resend.deliveries.map((d) => `${/\/bookings\/([a-z0-9]+)/.exec(d.html ?? "")?.[1]}→${String(d.to)}`);
    const requests = new Set(resend.deliveries.map((d) => d.idempotencyKey)).size;
    say(`  delivered ${fmt(resend.deliveries.length)} of ${fmt(2 * ids.length)} emails (${fmt(new Set(emails).size)} distinct) in ${fmt(requests)} requests`);
    const a = stats(lateFirst);
    const b = stats(lateBoth);
    say(`  first email: p50 ${fmt(a.p50)} ms, p99 ${fmt(a.p99)} ms, max ${fmt(a.max)} ms, early ${a.early}`);
    say(`  both emails: p50 ${fmt(b.p50)} ms, p99 ${fmt(b.p99)} ms, max ${fmt(b.max)} ms, early ${b.early}`);
    const base = await bullmqDelayLateness(prefix);
    say(`  BullMQ delayed no-op jobs, same due times: p50 ${fmt(base.p50)} ms, p99 ${fmt(base.p99)} ms, max ${fmt(base.max)} ms, early ${base.early}`);
    return [
      ["reminder, first email lateness p50 / p99 / max (ms), rate limit OFF", `${fmt(a.p50)} / ${fmt(a.p99)} / ${fmt(a.max)}`, `early: ${a.early}`],
      ["reminder, both emails lateness p50 / p99 / max (ms), rate limit OFF", `${fmt(b.p50)} / ${fmt(b.p99)} / ${fmt(b.max)}`, `early: ${b.early}`],
      ["BullMQ delayed no-op lateness p50 / p99 / max (ms)", `${fmt(base.p50)} / ${fmt(base.p99)} / ${fmt(base.max)}`, "baseline, same run"],
    ];
  } finally {
    for (const w of workers) w.child.kill("SIGTERM");
    await Promise.all(workers.map((w) => w.exited));
    await producer.close();
    await new Queue("reminders", { connection: redis, prefix }).obliterate({ force: true }).catch(() => {});
    redis.disconnect();
    await resend.close();
    await db.close();
  }
}

// The stand-in plays Resend, a service that is warm when a reminder reaches it, and it runs in this
// process: JIT-compile its code on a throwaway instance first, so that its own cold start is not
// counted as the worker's lateness.
async function warmUpStandin(): Promise<void> {
  const standin = await startResendStandin({ rateLimitPerSecond: 0 });
  const transport = createResendTransport({ apiKey: standin.apiKey, baseUrl: standin.url });
  const email = await renderEmail({
    template: "booking_reminder_client",
    props: { recipientName: "Warm Up", creatorName: "Warm Up", callDateTime: new Date().toISOString(), timeZone: "UTC", bookingUrl: "https://warm-up.invalid/b" },
  });
  try {
    for (let i = 0; i < 500; i++) {
      await transport.send({ from: "Warm Up <w@warm-up.invalid>", to: "w@warm-up.invalid", ...email }, { idempotencyKey: `warm-up:${i}` });
    }
  } finally {
    await standin.close();
  }
}

// The same number of delayed jobs, due across the same window, on a no-op worker.
async function bullmqDelayLateness(prefix: string) {
  const conn = new Redis(env.redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue("baseline", { connection: conn, prefix });
  const late: number[] = [];
  const start = Date.now() + 5_000;
  const jobs = Array.from({ length: env.reminders }, (_, i) => start + Math.floor((i * env.windowSeconds * 1000) / env.reminders));
  for (let i = 0; i < jobs.length; i += 1000) {
    await queue.addBulk(jobs.slice(i, i + 1000).map((due) => ({ name: "b", data: { due }, opts: { delay: due - Date.now(), removeOnComplete: true } })));
  }
  const worker = new Worker("baseline", async (job) => void late.push(Date.now() - (job.data as { due: number }).due), {
    connection: new Redis(env.redisUrl, { maxRetriesPerRequest: null }),
    prefix,
    concurrency: 100,
  });
  while (late.length < jobs.length && Date.now() < start + env.windowSeconds * 1000 + 60_000) await sleep(250);
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  conn.disconnect();
  return stats(late);
}

async function fanOut(url: string): Promise<string[][]> {
  say(`\n(b) sweep fan-out of ${fmt(env.sweepBookings)} due bookings vs raw addBulk, ${env.rounds} rounds`);
  const db = createDb(url, { max: 4 });
  const now = Date.now();
  const calls = Array.from({ length: env.sweepBookings }, (_, i) => new Date(now + 5 * 60_000 + (i % 600_000)));
  const ids = await seedBookings(db, calls);
  const redis = new Redis(env.redisUrl, { maxRetriesPerRequest: null });
  const raw: number[] = [];
  const sweep: number[] = [];
  try {
    for (let round = 1; round <= env.rounds; round++) {
      const runs: Array<["raw" | "sweep", () => Promise<number>]> = [
        ["raw", async () => {
          const queue = new Queue("reminders", { connection: redis, prefix: `bench-raw-${round}-${Date.now().toString(36)}` });
          const t0 = performance.now();
          for (let i = 0; i < ids.length; i += 1000) {
            await queue.addBulk(ids.slice(i, i + 1000).map((id, k) => ({
              name: "booking-reminder",
              data: { bookingId: id },
              opts: { ...JOBS["booking-reminder"].options, jobId: jobIds.reminder(id), delay: Math.max(0, calls[i + k]!.getTime() - LEAD_MS - Date.now()) },
            })));
          }
          const s = (performance.now() - t0) / 1000;
          await queue.obliterate({ force: true });
          await queue.close();
          return ids.length / s;
        }],
        ["sweep", async () => {
          const queue = new Queue("reminders", { connection: redis, prefix: `bench-sweep-${round}-${Date.now().toString(36)}` });
          const t0 = performance.now();
          const out = await sweepBookingReminders({ db, queue, redis, leadMs: LEAD_MS, periodMs: 60 * 60_000 }, {});
          const s = (performance.now() - t0) / 1000;
          if (out.context.remindersEnqueued !== ids.length) throw new Error(`sweep enqueued ${String(out.context.remindersEnqueued)} of ${ids.length}`);
          await queue.obliterate({ force: true });
          await queue.close();
          return ids.length / s;
        }],
      ];
      if (round % 2 === 0) runs.reverse();
      const line: string[] = [];
      for (const [name, run] of runs) {
        const rate = await run();
        (name === "raw" ? raw : sweep).push(rate);
        line.push(`${name} ${fmt(rate)} jobs/s`);
      }
      say(`  round ${round}: ${line.join(" | ")}`);
    }
  } finally {
    redis.disconnect();
    await db.close();
  }
  const r = median(raw);
  const s = median(sweep);
  say(`  medians: raw addBulk ${fmt(r)} jobs/s, sweep ${fmt(s)} jobs/s (${(s / r).toFixed(2)}×)`);
  return [
    ["raw addBulk, jobs/s (median)", fmt(r), "baseline, same run"],
    ["sweep fan-out (query + existence check + addBulk), jobs/s (median)", fmt(s), `${(s / r).toFixed(2)}× (target ≥ 0.80×)`],
  ];
}

async function main() {
  const started = Date.now();
  const url = await freshDatabase(env.adminDatabaseUrl, "callastar_bench_reminders");
  await runMigrations(url);
  const rows = [...(await lateness(url)), ...(await fanOut(url))];
  say(`\nSummary (${fmt((Date.now() - started) / 1000)} s)\n${table([["measure", "value", "note"], ...rows])}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error("reminders benchmark failed:", error);
    process.exit(1);
  },
);
