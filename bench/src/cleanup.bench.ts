// Retention benchmark (`pnpm bench:cleanup`): cleanupOldLogsDetailed deleting BENCH_OLD_ROWS rows
// older than the retention while a writer logs audit rows continuously through the real logger.
// Per round and batch size: generate the old rows (SQL, in createdAt order) → CHECKPOINT →
// cleanup + writer (timed) → CHECKPOINT → writer alone for as long (the same-run baseline) → VACUUM.
// Reports rows/s deleted and the writer's insert latency (call → row committed) against the target
// of no wait above BENCH_TARGET_MS; pg_stat_activity/pg_locks are sampled to explain slow waits.
import { createDb, type DbHandle, type Sql } from "@callastar/db";
import { createAuditLogger, type AuditLogger, type CleanupResult } from "@callastar/audit-log";
import { freshDatabase } from "./lib/bench-database";
import { cleanupBenchEnv as env } from "./lib/cleanup-env";
import { generateLogRows } from "./lib/cleanup-rows";
import { median, table } from "./lib/figures";
import { percentile } from "./lib/percentiles";
import { startSampler, topCounts, type Sample } from "./lib/pg-sampler";

const DB_NAME = "callastar_bench_cleanup";
const WRITER_APP = "bench-cleanup-writer";
const CLEANUP_APP = "bench-cleanup-delete";
const OLD_PREFIX = "old-";
const RECENT_PREFIX = "recent-";

const say = (line: string) => console.log(line);
const fmt = (n: number, d = 0) => n.toLocaleString("en", { minimumFractionDigits: d, maximumFractionDigits: d });
const ms = (n: number) => (n >= 100 ? fmt(n) : n.toFixed(1));
const sleep = (t: number) => new Promise((resolve) => setTimeout(resolve, t));

/** One writer window: every call's start (performance.now()) and latency in ms. */
interface WriterWindow {
  seconds: number;
  starts: number[];
  latencies: number[];
}

interface WindowStats {
  seconds: number;
  insertsPerSecond: number;
  p50: number;
  p99: number;
  max: number;
  slow: number;
}

interface Round {
  batchSize: number;
  cleanup: CleanupResult;
  cleanupSeconds: number;
  rowsPerSecond: number;
  during: WindowStats;
  baseline: WindowStats;
  walMbDuring: number;
  checkpointsDuring: number;
}

/** Runs `env.writerLoops` loops of awaited audit calls until `until` resolves. */
async function writeUntil(logger: AuditLogger, until: Promise<unknown>): Promise<WriterWindow> {
  let stop = false;
  const starts: number[] = [];
  const latencies: number[] = [];
  const t0 = performance.now();
  const loops = Array.from({ length: env.writerLoops }, async (_, loop) => {
    for (let i = 0; !stop; i++) {
      const start = performance.now();
      if (i % 2 === 0) await logger.logCronRun("bench-writer", i, 12, { loop });
      else await logger.logEmailSent(`bk-${loop}-${i}`, `u-${loop}`, "booking_confirmation", { loop });
      starts.push(start);
      latencies.push(performance.now() - start);
      if (env.writerPauseMs > 0) await sleep(env.writerPauseMs);
    }
  });
  try {
    await until;
  } finally {
    stop = true;
    await Promise.all(loops);
  }
  return { seconds: (performance.now() - t0) / 1000, starts, latencies };
}

function stats(w: WriterWindow): WindowStats {
  return {
    seconds: w.seconds,
    insertsPerSecond: w.latencies.length / w.seconds,
    p50: percentile(w.latencies, 50),
    p99: percentile(w.latencies, 99),
    max: w.latencies.reduce((a, b) => (b > a ? b : a), 0),
    slow: w.latencies.filter((l) => l > env.targetMs).length,
  };
}

/** What the sampler saw while the calls slower than the target were waiting. */
function explainSlow(w: WriterWindow, samples: readonly Sample[]): string {
  const writer: string[] = [];
  const cleanup: string[] = [];
  const locks: string[] = [];
  let inCheckpoint = 0;
  let seen = 0;
  let slowCalls = 0;
  const used = new Set<Sample>();
  for (let i = 0; i < w.latencies.length; i++) {
    if (w.latencies[i]! <= env.targetMs) continue;
    slowCalls++;
    const from = w.starts[i]!;
    const to = from + w.latencies[i]!;
    for (const s of samples) {
      if (s.t < from || s.t > to || used.has(s)) continue;
      used.add(s);
      seen++;
      writer.push(...s.writer);
      if (s.cleanup) cleanup.push(s.cleanup);
      locks.push(...s.lockWaits);
      if (s.checkpoint) inCheckpoint++;
    }
  }
  if (slowCalls === 0) return "";
  return `    during the ${fmt(slowCalls)} slow calls (${seen} samples, ${seen ? Math.round((100 * inCheckpoint) / seen) : 0}% in a checkpoint): ` +
    `writer backends ${topCounts(writer)}; cleanup ${topCounts(cleanup, 3)}; ungranted locks ${topCounts(locks, 3)}`;
}

async function scalar(sql: Sql, query: string): Promise<number> {
  const [row] = (await sql.unsafe(query)) as unknown as [{ v: string | number }];
  return Number(row.v);
}

const walLsn = (sql: Sql) => scalar(sql, `SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0') AS v`);
const checkpoints = (sql: Sql) => scalar(sql, `SELECT checkpoints_timed + checkpoints_req AS v FROM pg_stat_bgwriter`);

async function measureRound(url: string, admin: DbHandle, logger: AuditLogger, round: number, batchSize: number): Promise<Round> {
  const t0 = performance.now();
  const now = new Date();
  await generateLogRows(admin.sql, `${OLD_PREFIX}${round}-${batchSize}-`, env.oldRows, now, 190, 100);
  await admin.sql`ANALYZE "Log"`;
  await admin.sql`CHECKPOINT`;
  const genSeconds = (performance.now() - t0) / 1000;

  // (1) cleanup + writer, in its own pool as the maintenance worker's process would be.
  const cleanupHandle = createDb(url, { max: 1, applicationName: CLEANUP_APP });
  const cleaner = createAuditLogger({ db: cleanupHandle });
  const wal0 = await walLsn(admin.sql);
  const ckpt0 = await checkpoints(admin.sql);
  let sampler = startSampler(url, env.sampleMs, WRITER_APP, CLEANUP_APP);
  let cleanupSeconds = 0;
  const cleaning = (async () => {
    const c0 = performance.now();
    const result = await cleaner.cleanupOldLogsDetailed(env.retentionDays, { batchSize });
    cleanupSeconds = (performance.now() - c0) / 1000;
    return result;
  })();
  let during: WriterWindow;
  let cleanup: CleanupResult;
  try {
    during = await writeUntil(logger, cleaning);
    cleanup = await cleaning;
  } finally {
    await cleaner.close();
    await cleanupHandle.close();
  }
  const duringSamples = await sampler.stop();
  const walMbDuring = ((await walLsn(admin.sql)) - wal0) / 1048576;
  const checkpointsDuring = (await checkpoints(admin.sql)) - ckpt0;
  if (cleanup.deleted !== env.oldRows) throw new Error(`round ${round}: deleted ${cleanup.deleted}, expected ${env.oldRows}`);

  // (2) the writer alone, for as long.
  await admin.sql`CHECKPOINT`;
  sampler = startSampler(url, env.sampleMs, WRITER_APP, CLEANUP_APP);
  const alone = await writeUntil(logger, sleep(during.seconds * 1000));
  const aloneSamples = await sampler.stop();
  await admin.sql`VACUUM "Log"`;

  const r: Round = {
    batchSize, cleanup, cleanupSeconds, rowsPerSecond: cleanup.deleted / cleanupSeconds,
    during: stats(during), baseline: stats(alone), walMbDuring, checkpointsDuring,
  };
  const line = (label: string, s: WindowStats) =>
    `    ${label}: ${fmt(s.insertsPerSecond)} inserts/s, p50 ${ms(s.p50)} ms, p99 ${ms(s.p99)} ms, max ${ms(s.max)} ms, ${s.slow} > ${env.targetMs} ms`;
  say(`  round ${round}, batch ${fmt(batchSize)}: generated in ${genSeconds.toFixed(0)} s; deleted ${fmt(cleanup.deleted)} ` +
    `(${fmt(cleanup.errorDeleted)} errors) in ${cleanup.batches} batches, ${cleanupSeconds.toFixed(1)} s = ${fmt(r.rowsPerSecond)} rows/s; ` +
    `${fmt(walMbDuring)} MB WAL, ${checkpointsDuring} checkpoint(s)`);
  say(line("writer during cleanup", r.during));
  const why = explainSlow(during, duringSamples);
  if (why) say(why);
  if (env.sampleMs > 0) {
    say(`    samples during cleanup: writer ${topCounts(duringSamples.flatMap((s) => s.writer))}; ` +
      `cleanup ${topCounts(duringSamples.flatMap((s) => (s.cleanup ? [s.cleanup] : [])), 4)}`);
  }
  say(line("writer alone (baseline)", r.baseline));
  const whyAlone = explainSlow(alone, aloneSamples);
  if (whyAlone) say(whyAlone);
  return r;
}

interface Verification {
  ok: boolean;
  text: string;
}

async function verify(sql: Sql, logger: AuditLogger): Promise<Verification> {
  const flushed = await logger.flush(30_000);
  const recent = await scalar(sql, `SELECT count(*) AS v FROM "Log" WHERE id LIKE '${RECENT_PREFIX}%'`);
  const old = await scalar(sql, `SELECT count(*) AS v FROM "Log" WHERE id LIKE '${OLD_PREFIX}%'
    OR "createdAt" < (now() AT TIME ZONE 'UTC') - interval '${env.retentionDays} days'`);
  const total = await scalar(sql, `SELECT count(*) AS v FROM "Log"`);
  const statSum = await scalar(sql, `SELECT coalesce(sum(count), 0) AS v FROM "LogHourlyStat"`);
  const m = logger.metrics();
  const writerRows = await scalar(sql, `SELECT count(*) AS v FROM "Log" WHERE message LIKE 'Cron bench-writer%' OR context->>'emailType' = 'booking_confirmation' AND id NOT LIKE '${RECENT_PREFIX}%'`);
  const ok = flushed && recent === env.recentRows && old === 0 && statSum === total && m.dropped === 0 && writerRows === m.written;
  return {
    ok,
    text: `recent rows ${fmt(recent)}/${fmt(env.recentRows)}, old rows left ${old}, "Log" ${fmt(total)} rows = LogHourlyStat sum ${fmt(statSum)}: ` +
      `${statSum === total ? "equal" : "DIFFERENT"}; writer rows ${fmt(writerRows)} = logger written ${fmt(m.written)}, dropped ${m.dropped}`,
  };
}

async function main(): Promise<void> {
  const t0 = performance.now();
  say(`cleanup-logs benchmark: ${fmt(env.oldRows)} old rows per cleanup, ${fmt(env.recentRows)} recent rows, retention ${env.retentionDays} days, ` +
    `batch sizes ${env.batchSizes.map((b) => fmt(b)).join(" / ")}, ${env.rounds} rounds; writer ${env.writerLoops} loops` +
    `${env.writerPauseMs ? ` pausing ${env.writerPauseMs} ms` : " back to back"}; sampling every ${env.sampleMs} ms`);
  const url = await freshDatabase(env.adminDatabaseUrl, DB_NAME);
  const admin = createDb(url, { max: 1, applicationName: "bench-cleanup-admin" });
  const writerHandle = createDb(url, { max: 4, applicationName: WRITER_APP });
  const logger = createAuditLogger({ db: writerHandle });
  const rounds: Round[] = [];
  let verification: Verification;
  try {
    await generateLogRows(admin.sql, RECENT_PREFIX, env.recentRows, new Date(), 80, 0);
    await admin.sql`VACUUM ANALYZE "Log"`;
    await writeUntil(logger, sleep(2000)); // warm-up: connections, prepared INSERT, JIT of the loops
    say(`  setup ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    for (let round = 1; round <= env.rounds; round++) {
      // Rotate the order each round so neither batch size always runs first.
      const order = env.batchSizes.map((_, k) => env.batchSizes[(k + round - 1) % env.batchSizes.length]!);
      for (const batchSize of order) rounds.push(await measureRound(url, admin, logger, round, batchSize));
    }
    verification = await verify(admin.sql, logger);
    say(`  verification: ${verification.text}`);
  } finally {
    await logger.close();
    await writerHandle.close();
    await admin.close();
  }

  const rows: string[][] = [["measure (median of rounds)", ...env.batchSizes.map((b) => `batch ${fmt(b)}`), "note"]];
  const per = (pick: (r: Round) => number, show: (n: number) => string) =>
    env.batchSizes.map((b) => show(median(rounds.filter((r) => r.batchSize === b).map(pick))));
  const worst = (pick: (r: Round) => number, show: (n: number) => string) =>
    env.batchSizes.map((b) => show(Math.max(...rounds.filter((r) => r.batchSize === b).map(pick))));
  const total = (pick: (r: Round) => number) =>
    env.batchSizes.map((b) => fmt(rounds.filter((r) => r.batchSize === b).reduce((sum, r) => sum + pick(r), 0)));
  rows.push(
    ["rows deleted per cleanup", ...per((r) => r.cleanup.deleted, fmt), `${env.rounds} rounds each`],
    ["cleanup seconds", ...per((r) => r.cleanupSeconds, (n) => n.toFixed(1)), ""],
    ["rows/s deleted", ...per((r) => r.rowsPerSecond, fmt), ""],
    ["WAL MB during cleanup", ...per((r) => r.walMbDuring, fmt), ""],
    ["writer inserts/s during cleanup", ...per((r) => r.during.insertsPerSecond, fmt), `${env.writerLoops} loops`],
    ["writer p50 ms during cleanup", ...per((r) => r.during.p50, ms), ""],
    ["writer p99 ms during cleanup", ...per((r) => r.during.p99, ms), ""],
    ["writer max ms during cleanup", ...per((r) => r.during.max, ms), `target ≤ ${env.targetMs} ms`],
    ["  worst max of any round", ...worst((r) => r.during.max, ms), ""],
    [`writer waits > ${env.targetMs} ms during cleanup`, ...per((r) => r.during.slow, fmt), "target 0"],
    ["  total over all rounds", ...total((r) => r.during.slow), ""],
    ["baseline inserts/s (writer alone)", ...per((r) => r.baseline.insertsPerSecond, fmt), "same length, same run"],
    ["baseline p50 ms", ...per((r) => r.baseline.p50, ms), ""],
    ["baseline p99 ms", ...per((r) => r.baseline.p99, ms), ""],
    ["baseline max ms", ...per((r) => r.baseline.max, ms), ""],
    ["  worst max of any round", ...worst((r) => r.baseline.max, ms), ""],
    [`baseline waits > ${env.targetMs} ms`, ...per((r) => r.baseline.slow, fmt), ""],
    ["  total over all rounds", ...total((r) => r.baseline.slow), ""],
  );
  const missed = rounds.filter((r) => r.during.slow > 0);
  const baselineMissed = rounds.filter((r) => r.baseline.slow > 0);
  say(`\nSummary (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  say(table(rows));
  say(`target (no insert wait > ${env.targetMs} ms during cleanup): ${missed.length === 0 ? "HOLDS" : "MISSED"} — ` +
    `waits above it in ${missed.length}/${rounds.length} cleanups (writer alone: in ${baselineMissed.length}/${rounds.length} baseline windows); ` +
    `verification ${verification.ok ? "OK" : "FAILED"}`);
  if (!verification.ok) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
