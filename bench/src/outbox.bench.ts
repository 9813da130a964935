// Outbox benchmark (`pnpm build` then `pnpm bench:outbox`). Each round runs BENCH_RELAYS copies of the
// compiled relay (apps/outbox-relay/dist/main.js, plain node, production defaults) on a fresh outbox:
//  (a) BENCH_WRITERS connections commit BENCH_BACKLOG rows as fast as they can — each a payout request
//      and its outbox row in one transaction, as the main app writes them → rows committed/s; the same
//      with the relay's NOTIFY trigger disabled (a quarter as many rows, in segments alternating with
//      the others) → what that trigger costs the writers (PostgreSQL serializes the commits of
//      notifying transactions); then the relays start on that backlog → rows/s until every job is in Redis; beside it,
//      raw addBulk of the same jobs (same ids and options, batches of BENCH_BATCH, one process, no
//      PostgreSQL) → jobs/s, and the ratio;
//  (b) writers paced open loop at BENCH_RATE rows/s for BENCH_LAG_S seconds (transaction i starts at
//      start + i/rate, on any of BENCH_LAG_WRITERS connections) while the relays run → the rate the
//      writers reached, and the lag per row: the relay's mark ("relayedAt", taken after its jobs are in
//      Redis) − the writer's COMMIT returning, both this machine's clock; p50/p99/max.
// A lag is reported "at BENCH_RATE" only when the writers reached ≥ 95 % of it; otherwise at the rate
// they reached, with the asked one marked not reached. BENCH_ROUNDS rounds; medians; load averages.
// Targets: lag p99 ≤ 100 ms at 1,000 rows/s; relay ≥ 0.5× addBulk. What-ifs off the production
// defaults (announced in the output): BENCH_NOTIFY=0, BENCH_RELAY_POLL_MS.
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import postgres from "postgres";
import { existsSync } from "node:fs";
import { loadavg } from "node:os";
import { resolve } from "node:path";
import { JOBS } from "@callastar/queues";
import { Producer, prepareJob } from "@callastar/producer";
import { obliteratePrefix, spawnProcess, type AppProcess } from "@callastar/testing";
import { freshDatabase } from "./lib/bench-database";
import { median, table } from "./lib/figures";
import { outboxBenchEnv as env } from "./lib/outbox-env";
import { seedCreator, writeAsFastAsPossible, writePaced, type Commit } from "./lib/outbox-writers";
import { percentile } from "./lib/percentiles";

const DB_NAME = "callastar_bench_outbox";
const RELAY_DIR = resolve(__dirname, "../../apps/outbox-relay");
const BUNDLE = "dist/main.js";
// A relay that keeps up has relayed the last row within this of its commit (one falling behind by
// 10 % over BENCH_LAG_S = 10 s would still have a second of rows to go).
const KEPT_UP_MS = 1_000;
const SEGMENTS = 4;
const TARGET_RATE = 1_000;
const segment = (total: number, k: number) => Math.floor((total * (k + 1)) / SEGMENTS) - Math.floor((total * k) / SEGMENTS);
const say = (line: string) => console.log(line);
const fmt = (n: number, d = 0) => n.toLocaleString("en", { minimumFractionDigits: d, maximumFractionDigits: d });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const load = () => loadavg()[0]!;

// Relays still running when the bench ends, however it ends: one left behind keeps claiming the rows
// of the next run (its database is recreated under the same name) into its old prefix.
const running = new Set<AppProcess>();
const stopRelays = () => {
  for (const p of running) if (p.child.exitCode === null) p.child.kill("SIGTERM");
};
process.on("exit", stopRelays);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    stopRelays();
    process.exit(1);
  });
}

/** The relays as production starts them (the Dockerfile's CMD): only the servers and the prefix are set, unless a what-if asks. */
function startRelays(url: string, prefix: string): AppProcess[] {
  const whatIf: Record<string, string> = env.relayPollMs ? { OUTBOX_POLL_INTERVAL_MS: String(env.relayPollMs) } : {};
  return Array.from({ length: env.relays }, () => {
    const p = spawnProcess("outbox-relay", RELAY_DIR, process.execPath, ["--enable-source-maps", BUNDLE], { DATABASE_URL: url, REDIS_URL: env.redisUrl, QUEUE_PREFIX: prefix, ...whatIf });
    running.add(p);
    void p.exited.then(() => running.delete(p));
    return p;
  });
}

async function waitingCount(queue: Queue): Promise<number> {
  return (await queue.getJobCounts("waiting")).waiting ?? 0;
}

async function rawAddBulk(payoutIds: readonly string[]): Promise<number> {
  const prefix = `bench-outbox-raw-${Date.now().toString(36)}`;
  const connection = new Redis(env.redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(JOBS["pay-payout"].queue, { connection, prefix });
  try {
    const jobs = payoutIds.map((payoutId) => prepareJob.enqueuePayout({ payoutId }));
    const t0 = performance.now();
    for (let i = 0; i < jobs.length; i += env.batchSize) {
      await queue.addBulk(jobs.slice(i, i + env.batchSize).map((j) => ({ name: j.name, data: j.data, opts: { ...JOBS[j.name].options, jobId: j.jobId } })));
    }
    return jobs.length / ((performance.now() - t0) / 1000);
  } finally {
    await queue.close();
    await connection.quit();
    await obliteratePrefix(prefix, env.redisUrl);
  }
}

/** Waits until no row is left unrelayed; throws with the relays' output past `timeoutMs`. */
async function untilRelayed(sql: postgres.Sql, relays: readonly AppProcess[], timeoutMs: number): Promise<void> {
  const t0 = performance.now();
  for (;;) {
    const [left] = await sql<Array<{ n: number }>>`SELECT count(*)::int AS n FROM "JobOutbox" WHERE "relayedAt" IS NULL`;
    if (left!.n === 0) return;
    if (performance.now() - t0 > timeoutMs) throw new Error(`${left!.n} rows still unrelayed after ${timeoutMs} ms; relay output:\n${relays.map((r) => r.output()).join("\n")}`);
    await sleep(20);
  }
}

interface Lag {
  p50: number;
  p99: number;
  max: number;
  n: number;
  /** The lag of the last row committed: what was left to relay when the writers stopped. */
  last: number;
}

function lagOf(commits: readonly Commit[], relayedAt: ReadonlyMap<string, number>): Lag {
  const lags = [...commits].sort((a, b) => a.committedAt - b.committedAt).map((c) => relayedAt.get(c.jobId)! - c.committedAt);
  return {
    p50: percentile(lags, 50),
    p99: percentile(lags, 99),
    max: Math.max(...lags),
    n: lags.length,
    last: lags.at(-1)!,
  };
}

interface Round {
  committedPerSecond: number;
  committedPerSecondNoNotify: number;
  relayPerSecond: number;
  addBulkPerSecond: number;
  /** The paced phase: the rate the writers reached (rows/s), their start lateness p99, and the lag. */
  achievedRate: number;
  startLateP99: number;
  lag: Lag;
  load: number;
}

async function round(url: string, creatorId: string, r: number): Promise<Round> {
  const prefix = `bench-outbox-${r}-${Date.now().toString(36)}`;
  const sql = postgres(url, { max: Math.max(env.writers, env.lagWriters), onnotice: () => {}, connection: { TimeZone: "UTC" } });
  const redis = new Redis(env.redisUrl, { maxRetriesPerRequest: null });
  const producer = new Producer({ connection: redis, prefix });
  const payouts = producer.queue("payouts");
  let relays: AppProcess[] = [];
  try {
    await sql`ALTER TABLE "JobOutbox" ENABLE TRIGGER "JobOutbox_notify_insert"`;
    await sql`TRUNCATE "JobOutbox", "Payout"`;
    // (a) the backlog, then the relays draining it
    // Alternating segments, so that the machine's load (shared) weighs on both figures alike.
    const backlog: Commit[] = [];
    const spent = { notify: 0, quiet: 0 };
    const quietRows = Math.ceil(env.backlog / 4);
    for (let k = 0; k < SEGMENTS; k++) {
      let t0 = performance.now();
      backlog.push(...(await writeAsFastAsPossible(sql, creatorId, env.writers, segment(env.backlog, k))));
      spent.notify += performance.now() - t0;
      await sql`ALTER TABLE "JobOutbox" DISABLE TRIGGER "JobOutbox_notify_insert"`;
      t0 = performance.now();
      try {
        backlog.push(...(await writeAsFastAsPossible(sql, creatorId, env.writers, segment(quietRows, k))));
      } finally {
        await sql`ALTER TABLE "JobOutbox" ENABLE TRIGGER "JobOutbox_notify_insert"`;
      }
      spent.quiet += performance.now() - t0;
    }
    const committedPerSecond = env.backlog / (spent.notify / 1000);
    const committedPerSecondNoNotify = quietRows / (spent.quiet / 1000);
    if (!env.notify) await sql`ALTER TABLE "JobOutbox" DISABLE TRIGGER "JobOutbox_notify_insert"`;
    relays = startRelays(url, prefix);
    await Promise.all(relays.map((p) => p.waitForOutput("relaying")));
    const t0 = performance.now();
    while ((await waitingCount(payouts)) < backlog.length) {
      if (performance.now() - t0 > 120_000) throw new Error(`the relays did not drain the backlog in 120 s; their output:\n${relays.map((p) => p.output()).join("\n")}`);
      await sleep(5);
    }
    const relayPerSecond = backlog.length / ((performance.now() - t0) / 1000);
    const addBulkPerSecond = await rawAddBulk(backlog.map((c) => c.payoutId));

    // (b) open-loop writers while the relays run
    const paced = await writePaced(sql, creatorId, env.rate, env.lagSeconds);
    await untilRelayed(sql, relays, 60_000);
    const marks = await sql<Array<{ jobId: string; at: number }>>`
      SELECT "jobId", EXTRACT(EPOCH FROM "relayedAt")::float8 * 1000 AS at FROM "JobOutbox" WHERE "jobId" IN ${sql(paced.commits.map((c) => c.jobId))}`;
    const relayedAt = new Map(marks.map((m) => [m.jobId, m.at]));
    // Every row relayed became a job: the mark alone would not prove it.
    const jobs = await waitingCount(payouts);
    if (jobs !== backlog.length + paced.commits.length) throw new Error(`${jobs} jobs in Redis for ${backlog.length + paced.commits.length} committed rows`);
    return {
      committedPerSecond,
      committedPerSecondNoNotify,
      relayPerSecond,
      addBulkPerSecond,
      achievedRate: paced.achievedRate,
      startLateP99: paced.startLateP99,
      lag: lagOf(paced.commits, relayedAt),
      load: load(),
    };
  } finally {
    for (const p of relays) if (p.child.exitCode === null) p.child.kill("SIGTERM");
    const codes = await Promise.all(relays.map((p) => p.exited));
    if (codes.some((c) => c !== 0)) say(`  round ${r}: relay exit codes ${codes.join(", ")}`);
    await producer.close();
    await redis.quit();
    await sql.end();
    await obliteratePrefix(prefix, env.redisUrl);
  }
}

async function main(): Promise<void> {
  if (!existsSync(resolve(RELAY_DIR, BUNDLE))) throw new Error(`apps/outbox-relay/${BUNDLE} is missing: run pnpm build first`);
  const started = Date.now();
  say(
    `outbox bench: ${env.relays} compiled relay(s); backlog ${fmt(env.backlog)} rows from ${env.writers} writers; ` +
      `lag at ${fmt(env.rate)} rows/s (open loop, ${env.lagWriters} connections) for ${env.lagSeconds} s; ${env.rounds} rounds; load average ${load().toFixed(1)}`,
  );
  if (!env.notify || env.relayPollMs) {
    say(`WHAT-IF, not production defaults: NOTIFY trigger ${env.notify ? "on" : "off while the relays run"}; relays poll every ${env.relayPollMs || "1000 (default)"} ms`);
  }
  const url = await freshDatabase(env.adminDatabaseUrl, DB_NAME);
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  const creatorId = await seedCreator(admin).finally(() => admin.end());
  const rounds: Round[] = [];
  for (let r = 1; r <= env.rounds; r++) {
    const x = await round(url, creatorId, r);
    rounds.push(x);
    const reached = x.achievedRate >= 0.95 * env.rate;
    say(
      `  round ${r}: commits ${fmt(x.committedPerSecond)} rows/s (${fmt(x.committedPerSecondNoNotify)} without NOTIFY) | relay ${fmt(x.relayPerSecond)} rows/s vs addBulk ${fmt(x.addBulkPerSecond)} jobs/s ` +
        `(${(x.relayPerSecond / x.addBulkPerSecond).toFixed(2)}×) | paced writers reached ${fmt(x.achievedRate)} of ${fmt(env.rate)} rows/s${reached ? "" : " (NOT reached)"}, ` +
        `start lateness p99 ${fmt(x.startLateP99)} ms | lag p50 ${fmt(x.lag.p50)} ms, p99 ${fmt(x.lag.p99)} ms, max ${fmt(x.lag.max)} ms ` +
        `(last row ${fmt(x.lag.last)} ms; ${fmt(x.lag.n)} rows) | load ${x.load.toFixed(1)}`,
    );
  }
  const m = (f: (x: Round) => number) => median(rounds.map(f));
  const ratio = m((x) => x.relayPerSecond / x.addBulkPerSecond);
  const achieved = m((x) => x.achievedRate);
  const reached = achieved >= 0.95 * env.rate;
  const p99 = m((x) => x.lag.p99);
  const keptUp = rounds.every((x) => x.lag.last <= KEPT_UP_MS);
  const atRate = reached ? `at ${fmt(env.rate)} rows/s` : `at ${fmt(achieved)} rows/s reached`;
  // The target is stated at 1,000 rows/s: a lower BENCH_RATE is compared with it, not credited with it.
  const target = env.rate >= TARGET_RATE ? `≤ 100 ${p99 <= 100 ? "ok" : "MISSED"}` : `(target: ≤ 100 at ${fmt(TARGET_RATE)} rows/s)`;
  say(
    `\nSummary (medians of ${env.rounds} rounds, ${fmt((Date.now() - started) / 1000)} s; load average ${rounds.map((x) => x.load.toFixed(1)).join(", ")} at the rounds' ends)\n` +
      table([
        ["measure", "value", "target"],
        [`rows committed/s (${env.writers} writers, payout + outbox row per tx)`, fmt(m((x) => x.committedPerSecond)), ""],
        ["same, the relay's NOTIFY trigger disabled", fmt(m((x) => x.committedPerSecondNoNotify)), ""],
        [`relay throughput (${env.relays} compiled), rows/s`, fmt(m((x) => x.relayPerSecond)), ""],
        ["raw addBulk, jobs/s (same run)", fmt(m((x) => x.addBulkPerSecond)), ""],
        ["relay / addBulk", `${ratio.toFixed(2)}×`, `≥ 0.5× ${ratio >= 0.5 ? "ok" : "MISSED"}`],
        ["paced writers' commit rate, rows/s", fmt(achieved), `${fmt(env.rate)} asked: ${reached ? "reached" : "NOT reached"}`],
        [`lag p99 at ${fmt(env.rate)} rows/s, ms`, reached ? fmt(p99) : "not measured", reached ? target : `rate not reached (${fmt(achieved)} rows/s)`],
        ...(reached ? [] : [[`lag p99 ${atRate}, ms`, fmt(p99), ""]]),
        [`lag p50 ${atRate}, ms`, fmt(m((x) => x.lag.p50)), ""],
        [`lag max ${atRate}, ms`, fmt(m((x) => x.lag.max)), ""],
        [`relay kept up (last row relayed ≤ ${fmt(KEPT_UP_MS)} ms after its commit, every round)`, keptUp ? "yes" : "NO", ""],
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
