// `pnpm chaos`: the whole system on the stand-ins, with real processes — 3 copies of each worker
// app, the outbox relay and the scheduler — fed a workload while workers are SIGKILLed every ~2 s,
// the run's own PostgreSQL server is stopped fast and later crashed (immediate stop) and started
// again, its connections are cut once, Redis is SIGKILLed and restarted, and the stand-ins answer
// 429/5xx and drop connections before and after doing the work. Then quiet until everything
// settles, and the verdict: its last line is the contract
//   chaos: <K> kills, <S> server restarts, <E> emails, <P> payouts, <R> rooms; lost 0, duplicated 0, unaudited 0, misreported 0
// and the exit code is 0 only when every count after "rooms" is 0.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createProducerConnection } from "@callastar/queues";
import { Producer } from "@callastar/producer";
import { seededRandom } from "@callastar/standins";
import { systemEnv } from "@callastar/testing";
import { chaosEnv } from "./env";
import { Fleet } from "./fleet";
import { PROVIDER_RATES, startInfra, type Infra } from "./infra";
import { runReconciler } from "./reconciler";
import { freezeCrons, waitUntilSettled } from "./settle";
import { faultsOff, runChaos, WORKER_APPS } from "./timeline";
import { findDuplicated, findLost, findMisreported, type Finding } from "./verify";
import { expectedRecipients, seedWorkload } from "./workload";

// The restarts are ours; the timeline retries the calls they fail.
const QUIET = { error: () => undefined, warn: () => undefined, info: () => undefined, child: () => QUIET };
const withoutRedisUrl = ({ REDIS_URL: _url, ...env }: Record<string, string>): Record<string, string> => env;

const log = (line: string) => console.log(`[chaos] ${line}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Worker settings sized for a run of minutes, not hours: a killed worker's job is back after the
 * lock (10 s) plus at most one stalled check (5 s); not shorter, because 13 node processes share
 * 2 cores here and a starved but live worker must not lose its lock (a false stall). A job may
 * stall 20 times (one kill every ~2 s among 12 workers hits a long job several times).
 */
const RECOVERY = {
  WORKER_LOCK_DURATION_MS: "10000",
  WORKER_STALLED_INTERVAL_MS: "5000",
  WORKER_MAX_STALLED_COUNT: "20",
  SHUTDOWN_TIMEOUT_MS: "10000",
  PAYOUT_STALE_PROCESSING_MINUTES: "1",
  STRIPE_TIMEOUT_MS: "5000",
  DAILY_TIMEOUT_MS: "5000",
  SCHEDULER_CHECK_INTERVAL_MS: "10000",
};
/** Every cron runs several times during the run (6-field patterns: seconds first). */
const CRON_PATTERNS = {
  CRON_SEND_BOOKING_REMINDERS: "*/20 * * * * *",
  CRON_CLEANUP_DAILY_ROOMS: "*/30 * * * * *",
  CRON_PROCESS_PAYOUTS: "*/30 * * * * *",
  CRON_PROCESS_AUTOMATIC_PAYOUTS: "15,45 * * * * *",
  CRON_CLEANUP_LOGS: "0 * * * * *",
};

function section(title: string, findings: Finding[], limit = 40): void {
  if (findings.length === 0) return;
  console.log(`${title} (${findings.length}):`);
  for (const f of findings.slice(0, limit)) console.log(`  ${f.entity}: ${f.detail}`);
  if (findings.length > limit) console.log(`  … ${findings.length - limit} more in findings.txt`);
}

async function main(): Promise<{ code: number; summary: string }> {
  const env = chaosEnv;
  const random = seededRandom(env.seed);
  const tag = Date.now().toString(36);
  log(`seed ${env.seed}, ${env.seconds} s of chaos, ${env.copies} copies of each worker, settle bound ${env.settleSeconds} s`);
  const infra = await startInfra({ seed: env.seed, topology: env.redis });
  const runStart = new Date();
  log(`PostgreSQL :${infra.postgres.port} (database ${infra.databaseName}; apps through proxy :${infra.proxy.port}), redis ${env.redis} :${infra.redis.port} (AOF always), logs in ${infra.logDir}`);

  const base = {
    ...env.childBase,
    NODE_ENV: "production",
    ...withoutRedisUrl(systemEnv({ databaseUrl: infra.appDatabaseUrl, redisUrl: infra.redis.url, prefix: "chaos", spoolDir: infra.spoolDir, standins: infra })),
    ...infra.redisEnv,
    EMAIL_RATE_LIMIT_PER_SECOND: String(PROVIDER_RATES.resendPerSecond),
    DAILY_DELETE_RATE_PER_SECOND: String(PROVIDER_RATES.dailyDeletesPerSecond),
    ...RECOVERY,
    ...CRON_PATTERNS,
  };
  const fleet = new Fleet(() => base, infra.logDir, random);
  const redis = createProducerConnection(infra.redisTarget, { maxRetriesPerRequest: 1, enableOfflineQueue: true, log: QUIET });
  // On Sentinel an acknowledged enqueue is one a replica holds (docs/redis.md); the timeline retries refusals.
  const producer = new Producer({ connection: redis, prefix: "chaos", log: QUIET, ...(env.redis === "sentinel" ? { replicaAcks: { replicas: 1, timeoutMs: 1_000 } } : {}) });
  let failed = true;
  try {
    const bootStart = Date.now();
    fleet.start("scheduler", 1);
    fleet.start("outbox-relay", 1);
    for (const app of WORKER_APPS) fleet.start(app, env.copies);
    while (!fleet.allReady()) {
      if (Date.now() - bootStart > 180_000) throw new Error(`not ready after 180 s: ${fleet.notReady().join(", ")} (see ${infra.logDir})`);
      if (fleet.crashes.length) throw new Error(`an app crashed at start: ${fleet.crashes.join("; ")} (see ${infra.logDir})`);
      await sleep(250);
    }
    log(`${2 + WORKER_APPS.length * env.copies} processes ready in ${((Date.now() - bootStart) / 1000).toFixed(1)} s`);

    const chaosStart = Date.now() + 3_000;
    const workload = await seedWorkload({
      db: infra.db,
      seconds: env.seconds,
      chaosStart,
      tag,
      createRoom: async (name) => {
        const res = await fetch(`http://127.0.0.1:${infra.daily.port}/_standin/rooms`, { method: "POST", body: JSON.stringify({ name, privacy: "private" }) });
        if (!res.ok) throw new Error(`Daily stand-in refused room ${name}: ${res.status}`);
      },
    });
    log(
      `seeded ${workload.reminders.length} reminders due during the run, ${workload.adhoc.length} ad-hoc emails, ` +
        `${workload.payouts.length} requested payouts, ${workload.automaticCreators.length} creators on automatic payouts, ${workload.rooms.length} rooms`,
    );
    await sleep(Math.max(0, chaosStart - Date.now()));

    const timeline = await runChaos({ infra, fleet, producer, workload, seconds: env.seconds, random, log });
    const settle = await waitUntilSettled({ infra, producer, workload, timeoutMs: env.settleSeconds * 1000, log });
    log(settle.settled ? `settled ${(settle.waitedMs / 1000).toFixed(1)} s after the chaos` : "did not settle: judging what is there");

    const unclean = await fleet.stop(["scheduler"]);
    const stillQueued = await freezeCrons(producer, 60_000);
    if (stillQueued.length) log(`queues not empty after removing the schedulers: ${stillQueued.join("; ")}`);
    unclean.push(...(await fleet.stop()));
    const until = new Date();
    const phases = `boot ${Math.round((chaosStart - bootStart) / 1000)} s, chaos ${env.seconds} s, quiet ${Math.round(settle.waitedMs / 1000)} s, freeze ${Math.round((until.getTime() - chaosStart) / 1000 - env.seconds - settle.waitedMs / 1000)} s`;

    const audit = await runReconciler({ databaseUrl: infra.databaseUrl, since: runStart, until, env: env.childBase });
    // A cron run that never did its work is work lost, whatever its audit rows say.
    const lost = [...(await findLost(infra, workload, producer)), ...audit.unfinishedRuns];
    const duplicated = await findDuplicated(infra, workload);
    const misreport = await findMisreported(infra, { since: runStart, until });

    const kills = fleet.kills.length;
    const restarts = timeline.serverRestarts;
    const emails = expectedRecipients(workload).size;
    const payouts = workload.payouts.length + workload.automaticCreators.length;
    const rooms = workload.rooms.length;
    console.log("");
    console.log("timeline:");
    for (const e of timeline.events) console.log(`  ${e}`);
    for (const r of timeline.refused) console.log(`  producer gave up: ${r}`);
    if (fleet.crashes.length) console.log(`crashes (exits that were not our SIGKILL): ${fleet.crashes.join("; ")}`);
    if (unclean.length) console.log(`unclean shutdowns: ${unclean.join("; ")}`);
    console.log(`wall time: ${phases}`);
    console.log(`stand-ins: ${infra.resend.deliveries.length} emails accepted by Resend (${infra.resend.requests} requests), ${infra.stripe.transfers.length} transfers at Stripe (${infra.stripe.requests.length} requests), ${infra.daily.deletions.length} rooms deleted at Daily`);
    for (const line of misreport.lines) console.log(line);
    console.log(audit.summary);
    section("lost", lost);
    section("duplicated", duplicated);
    section("unaudited", audit.findings);
    section("misreported", misreport.findings);
    const all = [
      ...lost.map((f) => `lost ${f.entity}: ${f.detail}`),
      ...duplicated.map((f) => `duplicated ${f.entity}: ${f.detail}`),
      ...audit.findings.map((f) => `unaudited ${f.entity}: ${f.detail}`),
      ...misreport.findings.map((f) => `misreported ${f.entity}: ${f.detail}`),
    ];
    writeFileSync(join(infra.workDir, "findings.txt"), `${all.join("\n")}\n`);
    failed = audit.count === null || lost.length + duplicated.length + audit.count + misreport.findings.length > 0;
    if (failed) console.log(`process logs and findings.txt kept in ${infra.workDir}`);
    return {
      code: failed ? 1 : 0,
      summary:
        `chaos: ${kills} kills, ${restarts} server restarts, ${emails} emails, ${payouts} payouts, ${rooms} rooms; ` +
        `lost ${lost.length}, duplicated ${duplicated.length}, unaudited ${audit.count ?? "?"}, misreported ${misreport.findings.length}`,
    };
  } finally {
    faultsOff(infra);
    infra.proxy.restore();
    await infra.postgres.start().catch(() => undefined); // up for the clean-up, if a stop was cut short
    await fleet.stop().catch(() => []);
    await fleet.close();
    await producer.close();
    redis.disconnect();
    await closeInfra(infra, env.keep, failed);
  }
}

async function closeInfra(infra: Infra, keep: boolean, failed: boolean): Promise<void> {
  try {
    // A failed run keeps its logs (small) but not its database, unless CHAOS_KEEP asks for both.
    await infra.close({ dropDatabase: !keep, removeFiles: !keep && !failed });
    if (failed && !keep) log(`(database ${infra.databaseName} dropped with its server; CHAOS_KEEP=1 keeps the server's data in ${infra.postgres.dir})`);
  } catch (error) {
    log(`cleanup failed: ${String(error)}`);
  }
}

main().then(
  ({ code, summary }) => {
    // The contract line comes last, after the clean-up's own messages.
    console.log(summary);
    process.exit(code);
  },
  (error: unknown) => {
    console.error("chaos: the harness itself failed:", error);
    process.exit(2);
  },
);
