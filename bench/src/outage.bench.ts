// `pnpm bench:outage`: every app as a real process on a private PostgreSQL server that is stopped
// fast or immediately (a crash) and kept down 10 s or 60 s. Per scenario: each app's time from the
// server's return to its first success (work given while it was down, or right after for the relay),
// the dashboard's answer time during the outage, SIGTERM → exit of a second copy of each app during
// the outage (and its exit code: 0 is within its deadline), and a main-app-like client committing
// every 100 ms: postgres.js with its defaults (the baseline) against createDb's bounded waits.
import postgres from "postgres";
import { createDb, type Sql } from "@callastar/db";
import { table } from "./lib/figures";
import { outageBenchEnv } from "./lib/outage-env";
import { probes, startOutageSystem, timeToDone, type OutageApp } from "./lib/outage-system";
import { waitFor } from "@callastar/testing";

const APPS: OutageApp[] = ["outbox-relay", "payout-worker", "room-worker", "maintenance-worker", "scheduler", "dashboard"];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seconds = (ms: number | undefined) => (ms === undefined ? "—" : (ms / 1000).toFixed(1));

/** Commits a one-row transaction every 100 ms; `firstCommitAfter(t)` is the first success at or after t. */
function committer(sql: Sql) {
  const commits: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = Date.now();
      try {
        await sql.begin((tx) => tx`SELECT 1`);
        commits.push(Date.now());
      } catch {
        // down: the next try follows
      }
      await sleep(Math.max(0, 100 - (Date.now() - started)));
    }
  })();
  return {
    firstCommitAfter: (t: number) => commits.find((c) => c >= t),
    async stop() {
      running = false;
      await loop;
    },
  };
}

async function main(): Promise<void> {
  const { redisUrl, downSeconds, modes } = outageBenchEnv;
  const s = await startOutageSystem({ redisUrl, env: { SHUTDOWN_TIMEOUT_MS: "15000" } });
  const rows: string[][] = [["scenario", ...APPS.map((a) => `${a} s`), "dashboard during (ms, status)", "main-app client: defaults s", "createDb s", "ratio"]];
  const sigterm: string[][] = [["scenario", ...APPS.map((a) => `${a} SIGTERM s (exit)`)]];
  try {
    const boot = Date.now();
    for (const app of APPS) await s.start(app);
    console.log(`[outage] ${APPS.length} apps ready in ${seconds(Date.now() - boot)} s on PostgreSQL :${s.server.port}`);
    const url = s.db.sql.options;
    const databaseUrl = `postgres://postgres@127.0.0.1:${url.port[0]}/${url.database}`;
    for (const mode of modes) {
      for (const down of downSeconds) {
        const name = `${mode} ${down} s`;
        const p = probes(s, `${mode}${down}`);
        for (const app of APPS) await p[app].seed();
        const extra = await Promise.all(APPS.map((app) => s.start(app)));
        const baseline = postgres(databaseUrl, { max: 1, onnotice: () => {} });
        const ours = createDb(databaseUrl, { max: 1, applicationName: "outage-bench-client" });
        const clients = { baseline: committer(baseline), ours: committer(ours.sql) };
        await sleep(500);
        await s.server.stop(mode);
        const stopped = Date.now();
        for (const app of APPS) if (!p[app].afterReturn) await p[app].give();
        const during = await s.dashboard("/api/logs?limit=1").catch(() => ({ status: 0, ms: Number.NaN }));
        const exits = await Promise.all(
          extra.map(async (proc) => {
            const t0 = Date.now();
            proc.child.kill("SIGTERM");
            const code = await proc.exited;
            return `${seconds(Date.now() - t0)} (${code})`;
          }),
        );
        await sleep(Math.max(0, down * 1000 - (Date.now() - stopped)));
        await s.server.start();
        const back = Date.now();
        for (const app of APPS) if (p[app].afterReturn) await p[app].give();
        const times = await Promise.all(APPS.map((app) => timeToDone(p[app], back).catch(() => undefined)));
        // Both clients committing again (postgres.js' own backoff may take tens of seconds).
        await waitFor("both clients committing again", () => clients.baseline.firstCommitAfter(back) !== undefined && clients.ours.firstCommitAfter(back) !== undefined, { timeoutMs: 60_000 }).catch(() => undefined);
        const base = clients.baseline.firstCommitAfter(back);
        const own = clients.ours.firstCommitAfter(back);
        await Promise.all([clients.baseline.stop(), clients.ours.stop()]);
        await Promise.all([baseline.end({ timeout: 1 }), ours.close(1)]);
        // createDb's time to commit again over the defaults' (below 1: faster).
        const ratio = base !== undefined && own !== undefined ? ((own - back) / Math.max(1, base - back)).toFixed(2) : "—";
        rows.push([name, ...times.map(seconds), `${during.ms} (${during.status})`, seconds(base === undefined ? undefined : base - back), seconds(own === undefined ? undefined : own - back), ratio]);
        sigterm.push([name, ...exits]);
        console.log(`[outage] ${name}: ${APPS.map((a, i) => `${a} ${seconds(times[i])} s`).join(", ")}`);
      }
    }
  } finally {
    await s.close();
  }
  console.log("\nTime from the server's return to each app's first success (work given while it was down; the relay's right after):");
  console.log(table(rows));
  console.log("\nSIGTERM during the outage (a second copy of each app; exit 0 = every step ended within SHUTDOWN_TIMEOUT_MS 15 s):");
  console.log(table(sigterm));
}

main().catch((error: unknown) => {
  console.error("bench:outage failed:", error);
  process.exit(1);
});
