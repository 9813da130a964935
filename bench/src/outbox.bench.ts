// Outbox benchmark (`pnpm bench:outbox`), each round with a real outbox-relay process (NODE_ENV=production):
//  (a) BENCH_WRITERS concurrent writers commit BENCH_BACKLOG payout rows (one per transaction) as fast
//      as they can → rows committed/s; then a relay starts on that backlog → rows/s until every job
//      is in Redis; beside it, raw addBulk of the same jobs (same ids and options, batches of
//      BENCH_BATCH, one process, no PostgreSQL) → jobs/s, and the ratio;
//  (b) BENCH_LAG_WRITERS writers paced at BENCH_RATE rows/s for BENCH_LAG_S seconds while the relay runs → lag from the
//      writer's COMMIT returning to the job's "added" event in Redis (the event stream's id is Redis'
//      own clock, the same machine's) p50/p99/max.
// BENCH_ROUNDS rounds; medians. Targets: lag p99 ≤ 100 ms at 1,000 rows/s; relay ≥ 0.5× addBulk.
import { Queue, QueueEvents } from "bullmq";
import { Redis } from "ioredis";
import postgres from "postgres";
import { JOBS } from "@callastar/queues";
import { Producer, outboxRow, outboxStatement, prepareJob } from "@callastar/producer";
import { obliteratePrefix, spawnApp, type AppProcess } from "@callastar/testing";
import { freshDatabase } from "./lib/bench-database";
import { median, table } from "./lib/figures";
import { outboxBenchEnv as env } from "./lib/outbox-env";
import { percentile } from "./lib/percentiles";

const DB_NAME = "callastar_bench_outbox";
const say = (line: string) => console.log(line);
const fmt = (n: number, d = 0) => n.toLocaleString("en", { minimumFractionDigits: d, maximumFractionDigits: d });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const epochMs = () => performance.timeOrigin + performance.now();

/** Commits one outbox row per transaction for each id, from `env.writers` concurrent loops; `pace` waits before each. */
async function commitRows(sql: postgres.Sql, writers: number, ids: readonly string[], pace?: (i: number) => Promise<void>): Promise<Map<string, number>> {
  const committedAt = new Map<string, number>();
  let next = 0;
  await Promise.all(
    Array.from({ length: writers }, async () => {
      for (let i = next++; i < ids.length; i = next++) {
        await pace?.(i);
        const row = outboxRow("enqueuePayout", { payoutId: ids[i]! });
        const { text, values } = outboxStatement(row);
        await sql.begin((tx) => tx.unsafe(text, values));
        committedAt.set(row.jobId, epochMs());
      }
    }),
  );
  return committedAt;
}

async function waitingCount(queue: Queue): Promise<number> {
  return (await queue.getJobCounts("waiting")).waiting ?? 0;
}

async function rawAddBulk(redisUrl: string, ids: readonly string[]): Promise<number> {
  const prefix = `bench-outbox-raw-${Date.now().toString(36)}`;
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(JOBS["pay-payout"].queue, { connection, prefix });
  try {
    const jobs = ids.map((payoutId) => prepareJob.enqueuePayout({ payoutId }));
    const t0 = performance.now();
    for (let i = 0; i < jobs.length; i += env.batchSize) {
      await queue.addBulk(jobs.slice(i, i + env.batchSize).map((j) => ({ name: j.name, data: j.data, opts: { ...JOBS[j.name].options, jobId: j.jobId } })));
    }
    return jobs.length / ((performance.now() - t0) / 1000);
  } finally {
    await queue.close();
    await connection.quit();
    await obliteratePrefix(prefix, redisUrl);
  }
}

interface Round {
  committedPerSecond: number;
  relayPerSecond: number;
  addBulkPerSecond: number;
  /** Lag percentiles (ms), and the commit rate the paced writers actually reached (rows/s). */
  lag: { p50: number; p99: number; max: number; n: number; rate: number };
}

async function round(url: string, r: number): Promise<Round> {
  const prefix = `bench-outbox-${r}-${Date.now().toString(36)}`;
  const sql = postgres(url, { max: Math.max(env.writers, env.lagWriters), onnotice: () => {}, connection: { TimeZone: "UTC" } });
  const redis = new Redis(env.redisUrl, { maxRetriesPerRequest: null });
  const producer = new Producer({ connection: redis, prefix });
  const payouts = producer.queue("payouts");
  let relay: AppProcess | undefined;
  try {
    await sql`TRUNCATE "JobOutbox"`;
    // (a) the backlog, then the relay draining it
    const backlogIds = Array.from({ length: env.backlog }, (_, i) => `a${r}_${i}`);
    let t0 = performance.now();
    await commitRows(sql, env.writers, backlogIds);
    const committedPerSecond = backlogIds.length / ((performance.now() - t0) / 1000);
    relay = spawnApp("outbox-relay", { NODE_ENV: "production", DATABASE_URL: url, REDIS_URL: env.redisUrl, QUEUE_PREFIX: prefix, OUTBOX_BATCH_SIZE: String(env.batchSize) });
    await relay.waitForOutput("relaying");
    t0 = performance.now();
    while ((await waitingCount(payouts)) < backlogIds.length) {
      if (performance.now() - t0 > 120_000) throw new Error(`the relay did not drain the backlog in 120 s; its output:\n${relay.output()}`);
      await sleep(5);
    }
    const relayPerSecond = backlogIds.length / ((performance.now() - t0) / 1000);
    const addBulkPerSecond = await rawAddBulk(env.redisUrl, backlogIds);

    // (b) paced writers while the relay runs; "added" events carry Redis' time in their stream id
    const events = new QueueEvents("payouts", { connection: new Redis(env.redisUrl, { maxRetriesPerRequest: null }), prefix });
    await events.waitUntilReady();
    const addedAt = new Map<string, number>();
    events.on("added", ({ jobId }, id) => addedAt.set(jobId, Number(id.split("-")[0])));
    const lagIds = Array.from({ length: env.rate * env.lagSeconds }, (_, i) => `b${r}_${i}`);
    const start = epochMs() + 100;
    const committedAt = await commitRows(sql, env.lagWriters, lagIds, async (i) => {
      const due = start + (i * 1000) / env.rate;
      const wait = due - epochMs();
      if (wait > 0) await sleep(wait);
    });
    const deadline = Date.now() + 30_000;
    while (addedAt.size < lagIds.length && Date.now() < deadline) await sleep(20);
    await events.close();
    const commitTimes = [...committedAt.values()];
    const achievedRate = commitTimes.length / ((Math.max(...commitTimes) - Math.min(...commitTimes)) / 1000);
    const lags = [...committedAt].map(([jobId, at]) => (addedAt.get(jobId) ?? Number.NaN) - at).filter((x) => !Number.isNaN(x));
    if (lags.length < lagIds.length) say(`  round ${r}: ${lagIds.length - lags.length} "added" events not seen`);
    return {
      committedPerSecond,
      relayPerSecond,
      addBulkPerSecond,
      lag: { p50: percentile(lags, 50), p99: percentile(lags, 99), max: Math.max(...lags), n: lags.length, rate: achievedRate },
    };
  } finally {
    if (relay && relay.child.exitCode === null) {
      relay.child.kill("SIGTERM");
      await relay.exited;
    }
    await producer.close();
    await redis.quit();
    await sql.end();
    await obliteratePrefix(prefix, env.redisUrl);
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  say(`outbox bench: ${env.writers} writers (${env.lagWriters} paced), backlog ${fmt(env.backlog)}, lag at ${fmt(env.rate)} rows/s for ${env.lagSeconds} s, batches of ${env.batchSize}, ${env.rounds} rounds`);
  const url = await freshDatabase(env.adminDatabaseUrl, DB_NAME);
  const rounds: Round[] = [];
  for (let r = 1; r <= env.rounds; r++) {
    const x = await round(url, r);
    rounds.push(x);
    say(
      `  round ${r}: commits ${fmt(x.committedPerSecond)} rows/s | relay ${fmt(x.relayPerSecond)} rows/s vs addBulk ${fmt(x.addBulkPerSecond)} jobs/s ` +
        `(${(x.relayPerSecond / x.addBulkPerSecond).toFixed(2)}×) | lag p50 ${fmt(x.lag.p50)} ms, p99 ${fmt(x.lag.p99)} ms, max ${fmt(x.lag.max)} ms (${fmt(x.lag.n)} rows at ${fmt(x.lag.rate)} rows/s)`,
    );
  }
  const m = (f: (x: Round) => number) => median(rounds.map(f));
  const ratio = m((x) => x.relayPerSecond / x.addBulkPerSecond);
  const p99 = m((x) => x.lag.p99);
  const rateReached = m((x) => x.lag.rate) >= 0.95 * env.rate;
  say(
    `\nSummary (medians of ${env.rounds} rounds, ${fmt((Date.now() - started) / 1000)} s)\n` +
      table([
        ["measure", "value", "target"],
        ["rows committed/s (" + env.writers + " writers, 1 row/tx)", fmt(m((x) => x.committedPerSecond)), ""],
        ["relay throughput, rows/s", fmt(m((x) => x.relayPerSecond)), ""],
        ["raw addBulk, jobs/s (same run)", fmt(m((x) => x.addBulkPerSecond)), ""],
        ["relay / addBulk", `${ratio.toFixed(2)}×`, `≥ 0.5× ${ratio >= 0.5 ? "ok" : "MISSED"}`],
        [`lag p50 at ${fmt(env.rate)} rows/s, ms`, fmt(m((x) => x.lag.p50)), ""],
        [`lag p99 at ${fmt(env.rate)} rows/s, ms`, fmt(p99), `≤ 100 ${p99 <= 100 ? "ok" : "MISSED"}${rateReached ? "" : " (rate not reached)"}`],
        ["lag max, ms", fmt(m((x) => x.lag.max)), ""],
        ["commit rate reached while measuring lag, rows/s", fmt(m((x) => x.lag.rate)), `${fmt(env.rate)} asked`],
      ]),
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
