// Logger benchmark (`pnpm bench:logger`):
//  (a) BullMQ no-op jobs vs the same jobs each awaiting one audit row through the group-commit
//      logger, vs each awaiting one single-row drizzle INSERT (the naive logger), alternating;
//  (b) getLogStats (7 days) and getRecentLogs({status: ERROR, limit: 20}) on a 10M-row "Log".
// Scale down with BENCH_JOBS, BENCH_ROUNDS, BENCH_LOG_ROWS.
import { availableParallelism } from "node:os";
import { createDb, createId, log } from "@callastar/db";
import { createAuditLogger, INSERT_LOG_ROWS } from "@callastar/audit-log";
import { freshDatabase } from "./lib/bench-database";
import { measureBuildCost } from "./lib/build-cost";
import { measureJobs } from "./lib/bullmq-throughput";
import type { CpuSpent } from "./lib/cpu-account";
import { median, table, timeRuns } from "./lib/figures";
import { loggerBenchEnv as env } from "./lib/logger-env";
import { ensureBigLogTable } from "./lib/log-table-10m";
import { measureStatementCost, type StatementCost } from "./lib/statement-cost";

const say = (line: string) => console.log(line);
const fmt = (n: number, d = 0) => n.toLocaleString("en", { minimumFractionDigits: d, maximumFractionDigits: d });

type Variant = "noop" | "logger" | "single-insert";

async function throughput(): Promise<{ medians: Record<Variant, number>; summary: string[][] }> {
  say(`\n(a) ${fmt(env.jobs)} BullMQ jobs/round, concurrency ${env.concurrency}, ${env.rounds} rounds`);
  const url = await freshDatabase(env.adminDatabaseUrl, "callastar_bench_logger");
  const handle = createDb(url, { max: 10, applicationName: "bench-logger" });
  const logger = createAuditLogger({ db: handle });
  const cost = measureBuildCost(handle.db);
  say(`  building a 1000-row INSERT: drizzle builder ${cost.drizzleUsPerRow.toFixed(1)} µs/row, ` +
    `constant unnest statement's arrays ${cost.arraysUsPerRow.toFixed(1)} µs/row`);
  say(`  statement: ${INSERT_LOG_ROWS}`);
  const processors: Record<Variant, (job: { data: { i: number } }) => Promise<void>> = {
    noop: async () => {},
    logger: (job) => logger.logCronRun("bench", job.data.i, 1, { jobIndex: job.data.i }),
    "single-insert": async (job) => {
      await handle.db.insert(log).values({
        id: createId(), type: "CRON_RUN", status: "SUCCESS",
        message: `Cron bench completed: ${job.data.i} items processed in 1 ms`,
        context: { cronType: "bench", itemsProcessed: job.data.i, duration: 1 }, createdAt: new Date(),
      });
    },
  };
  const results: Record<Variant, number[]> = { noop: [], logger: [], "single-insert": [] };
  const cpuPerJob: Record<Variant, CpuPerJob[]> = { noop: [], logger: [], "single-insert": [] };
  const rowsPerInsert: number[] = [];
  let statementCost: StatementCost;
  const order: Variant[] = ["noop", "logger", "single-insert"];
  try {
    for (let round = 1; round <= env.rounds; round++) {
      // Rotate the order each round so neither side always runs on a warmer machine.
      const rotated = order.map((_, k) => order[(k + round - 1) % order.length]!);
      const line: string[] = [];
      for (const variant of rotated) {
        const flushesBefore = logger.metrics().flushes;
        const r = await measureJobs(env.redisUrl, `${round}-${variant}`, env.jobs, env.concurrency, processors[variant]);
        results[variant].push(r.jobsPerSecond);
        cpuPerJob[variant].push(perJob(r.cpu, env.jobs));
        let extra = "";
        if (variant === "logger") {
          rowsPerInsert.push(env.jobs / Math.max(1, logger.metrics().flushes - flushesBefore));
          extra = ` (${fmt(rowsPerInsert.at(-1)!, 1)} rows/INSERT)`;
        }
        line.push(`${variant} ${fmt(r.jobsPerSecond)} jobs/s${extra}`);
      }
      say(`  round ${round}: ${line.join(" | ")}`);
    }
    const flushed = await logger.flush(30_000);
    const [{ n }] = (await handle.sql`SELECT count(*)::int AS n FROM "Log"`) as unknown as [{ n: number }];
    const expected = env.jobs * env.rounds * 2;
    say(`  rows in "Log": ${fmt(n)} (expected ${fmt(expected)}; flushed: ${flushed}); logger metrics ${JSON.stringify(logger.metrics())}`);
    if (n !== expected) throw new Error(`row count mismatch: ${n} != ${expected}`);
    statementCost = await measureStatementCost(handle.sql);
  } finally {
    await logger.close();
    await handle.close();
  }
  const medians = { noop: median(results.noop), logger: median(results.logger), "single-insert": median(results["single-insert"]) };
  const cpu = { noop: medianCpu(cpuPerJob.noop), logger: medianCpu(cpuPerJob.logger) };
  const wallUs = (jobsPerSecond: number) => 1e6 / jobsPerSecond;
  say(`  CPU per job while jobs ran, medians (µs): no-op ${showCpu(cpu.noop)}; logger ${showCpu(cpu.logger)}; ` +
    `wall per job: no-op ${wallUs(medians.noop).toFixed(0)} µs, logger ${wallUs(medians.logger).toFixed(0)} µs (${availableParallelism()} cores)`);
  const ceiling = cpuCeiling(wallUs(medians.noop), cpu.logger);
  say(`  ceiling from CPU alone: ${ceiling === null ? "n/a (server CPU not readable)" : `${ceiling.toFixed(2)}×`} ` +
    `(no-op wall per job ÷ the larger of the logger job's Node CPU and its total CPU over ${availableParallelism()} cores: the ratio if nothing ever waited)`);
  const sc = statementCost;
  const usOrNa = (v: number | null) => (v === null ? "n/a" : v.toFixed(0));
  const rpi = median(rowsPerInsert);
  say(`  one committed INSERT of the logger's statement, one at a time: PostgreSQL ${usOrNa(sc.postgresPerStatementUs)} µs per statement ` +
    `+ ${usOrNa(sc.postgresPerRowUs)} µs per row (wall ${sc.wallLargeUs.toFixed(0)} µs for ${sc.large} rows); a SELECT 1 round trip costs ` +
    `PostgreSQL ${usOrNa(sc.selectOne.postgresUs)} µs + Node ${sc.selectOne.nodeUs.toFixed(0)} µs of CPU. At the median ${fmt(rpi, 1)} rows/INSERT ` +
    `that is ${sc.postgresPerStatementUs === null || sc.postgresPerRowUs === null ? "n/a" : (sc.postgresPerStatementUs / rpi + sc.postgresPerRowUs).toFixed(0)} µs of PostgreSQL CPU per row`);
  say(`  medians: no-op ${fmt(medians.noop)} jobs/s, logger ${fmt(medians.logger)} jobs/s (${(medians.logger / medians.noop).toFixed(2)}×), ` +
    `single-row INSERT ${fmt(medians["single-insert"])} jobs/s (${(medians["single-insert"] / medians.noop).toFixed(2)}×)`);
  return {
    medians,
    summary: [
      ["BullMQ no-op jobs/s (median)", fmt(medians.noop), "baseline"],
      ["+ 1 audit row via logger (median)", fmt(medians.logger), `${(medians.logger / medians.noop).toFixed(2)}× (target ≥ 0.80×)`],
      ["+ 1 single-row INSERT (median)", fmt(medians["single-insert"]), `${(medians["single-insert"] / medians.noop).toFixed(2)}×`],
      ["CPU per job, no-op (µs)", showCpu(cpu.noop), "while the jobs ran"],
      ["CPU per job, logger (µs)", showCpu(cpu.logger), `wall ${wallUs(medians.logger).toFixed(0)} µs/job vs ${wallUs(medians.noop).toFixed(0)}`],
      ["ceiling from CPU alone", ceiling === null ? "n/a" : `${ceiling.toFixed(2)}×`, "if no job ever waited"],
      ["PostgreSQL CPU per committed INSERT (µs)", `${usOrNa(sc.postgresPerStatementUs)} + ${usOrNa(sc.postgresPerRowUs)}/row`, `${fmt(rpi, 1)} rows/INSERT in the logger runs`],
      ["drizzle insert builder, µs/row", cost.drizzleUsPerRow.toFixed(1), `vs ${cost.arraysUsPerRow.toFixed(1)} µs/row for the unnest arrays`],
    ],
  };
}

interface CpuPerJob {
  node: number;
  postgres: number | null;
  redis: number | null;
}

/** The ratio a logger job could reach if nothing waited: bounded by its Node thread and by both cores. */
function cpuCeiling(noopWallUs: number, logger: CpuPerJob): number | null {
  if (logger.postgres === null || logger.redis === null) return null;
  const busiest = Math.max(logger.node, (logger.node + logger.postgres + logger.redis) / availableParallelism());
  return noopWallUs / busiest;
}

function perJob(cpu: CpuSpent, jobs: number): CpuPerJob {
  const per = (us: number | null) => (us === null ? null : us / jobs);
  return { node: cpu.node / jobs, postgres: per(cpu.postgres), redis: per(cpu.redis) };
}

function medianCpu(runs: CpuPerJob[]): CpuPerJob {
  const of = (pick: (c: CpuPerJob) => number | null) => {
    const values = runs.map(pick).filter((v): v is number => v !== null);
    return values.length === runs.length && values.length > 0 ? median(values) : null;
  };
  return { node: of((c) => c.node) ?? 0, postgres: of((c) => c.postgres), redis: of((c) => c.redis) };
}

const showCpu = (c: CpuPerJob) =>
  `node ${c.node.toFixed(0)} / PostgreSQL ${c.postgres === null ? "n/a" : c.postgres.toFixed(0)} / Redis ${c.redis === null ? "n/a" : c.redis.toFixed(0)}`;

async function queries(): Promise<string[][]> {
  say(`\n(b) queries on a ${fmt(env.logRows)}-row "Log" over 90 days`);
  const url = await ensureBigLogTable(env.adminDatabaseUrl, env.logRows, say);
  const handle = createDb(url, { max: 4, applicationName: "bench-logger-queries" });
  const logger = createAuditLogger({ db: handle });
  try {
    const [{ n }] = (await handle.sql`SELECT count(*)::bigint AS n FROM "Log"`) as unknown as [{ n: string }];
    say(`  "Log" rows: ${fmt(Number(n))}`);
    const week = () => logger.getLogStats({ startDate: new Date(Date.now() - 7 * 86_400_000), endDate: new Date() });
    const stats = await week();
    say(`  7-day stats: ${JSON.stringify(stats)}`);
    const statsMs = median(await timeRuns(week, env.queryRuns));
    const recent = () => logger.getRecentLogs({ status: "ERROR", limit: 20 });
    const recentMs = median(await timeRuns(recent, env.queryRuns));
    const allTimeMs = median(await timeRuns(() => logger.getLogStats(), env.queryRuns));
    say(`  getLogStats(7 days) median ${statsMs.toFixed(2)} ms; getRecentLogs(ERROR, 20) median ${recentMs.toFixed(2)} ms; ` +
      `getLogStats(all time) median ${allTimeMs.toFixed(2)} ms (${env.queryRuns} runs each)`);
    return [
      [`"Log" rows`, fmt(Number(n)), ""],
      ["getLogStats(7 days), median ms", statsMs.toFixed(2), "target ≤ 15 ms"],
      ["getRecentLogs(ERROR, 20), median ms", recentMs.toFixed(2), "target ≤ 5 ms"],
      ["getLogStats(all time), median ms", allTimeMs.toFixed(2), ""],
    ];
  } finally {
    await logger.close();
    await handle.close();
  }
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const a = await throughput();
  const b = await queries();
  say(`\nSummary (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  say(table([["measure", "value", "note"], ...a.summary, ...b]));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
