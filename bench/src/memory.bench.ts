// `pnpm bench:memory`: each app's compiled bundle (dist/main.js, production defaults: no NODE_ENV,
// no METRICS_PORT, no OTEL_*) idle, against a bare BullMQ worker (src/bare-worker.cjs) started just
// before it with the same node flags. Per app: RSS at the start-up plateau (median of 15–25 s after
// start), RSS once idle memory has settled (median of the 10 s before BENCH_MEMORY_SETTLED_S), the
// time from spawn to its ready line, each with its ratio to the bare worker of its pair; medians of
// BENCH_MEMORY_ROUNDS rounds. One process starts at a time, so start times do not compete.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startDailyStandin, startResendStandin, startStripeStandin } from "@callastar/standins";
import {
  freePort,
  obliteratePrefix,
  prepareDatabase,
  spawnProcess,
  startPostgresServer,
  systemEnv,
  uniquePrefix,
  type AppProcess,
  type PostgresServer,
} from "@callastar/testing";
import { NODE_FLAGS as PRODUCTION_NODE_FLAGS } from "../../scripts/apps.mjs";
import { median, table } from "./lib/figures";
import { memoryBenchEnv, type MemoryBenchApp } from "./lib/memory-env";

// As production starts them (the Dockerfile's CMD, each app's `start`, `pnpm start`), unless
// BENCH_MEMORY_NODE_FLAGS says otherwise; the bare worker always gets the same flags.
const NODE_FLAGS = memoryBenchEnv.nodeFlags ?? PRODUCTION_NODE_FLAGS;

/** The line each process prints once it works (its start time ends there). */
const READY: Record<MemoryBenchApp | "bare", string> = {
  bare: "bare worker ready",
  scheduler: "registered ",
  "email-worker": "consuming",
  "room-worker": "consuming",
  "payout-worker": "consuming",
  "maintenance-worker": "consuming",
  "outbox-relay": "relaying",
  dashboard: "listening on",
};
const PLATEAU_MS = [15_000, 25_000] as const;
const root = resolve(__dirname, "../..");

interface Sampled {
  name: string;
  proc: AppProcess;
  startedAt: number;
  startMs: number;
  /** [ms since start, RSS MiB] */
  samples: Array<[number, number]>;
}

const rssMiB = (pid: number): number | undefined => {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
};
const windowMedian = (s: Sampled, from: number, to: number): number => {
  const values = s.samples.filter(([t]) => t >= from && t <= to).map(([, v]) => v);
  if (!values.length) throw new Error(`${s.name}: no RSS sample between ${from} and ${to} ms after its start`);
  return median(values);
};

async function main(): Promise<void> {
  const { rounds, settledSeconds, apps, redisUrl } = memoryBenchEnv;
  const missing = apps.filter((app) => !existsSync(join(root, "apps", app, "dist", "main.js")));
  if (missing.length) throw new Error(`not built: ${missing.map((a) => `apps/${a}/dist/main.js`).join(", ")}; run pnpm build first`);
  let server: PostgresServer | undefined;
  const adminUrl = memoryBenchEnv.adminDatabaseUrl ?? (server = await startPostgresServer()).url("postgres");
  const databaseUrl = await prepareDatabase(adminUrl, "callastar_bench_memory", { fresh: true });
  const [resend, stripe, daily] = await Promise.all([startResendStandin({}), startStripeStandin(), startDailyStandin({})]);
  const spoolDir = mkdtempSync(join(tmpdir(), "callastar-bench-memory-"));
  const prefix = uniquePrefix("bench-memory");
  const appEnv = {
    ...systemEnv({ databaseUrl, redisUrl, prefix, spoolDir, standins: { resend, daily, stripe } }),
    CRON_SECRET: "bench-memory-cron-secret-0123456789",
    DASHBOARD_ADMIN_USER: "ops",
    DASHBOARD_ADMIN_PASSWORD: "bench-memory-admin-password",
    DASHBOARD_SESSION_SECRET: "bench-memory-session-secret-0123456789-abcdef",
    HOST: "127.0.0.1",
  };
  const live: Sampled[] = [];
  const sampler = setInterval(() => {
    const now = Date.now();
    for (const s of live) {
      const rss = s.proc.child.exitCode === null ? rssMiB(s.proc.child.pid!) : undefined;
      if (rss !== undefined) s.samples.push([now - s.startedAt, rss]);
    }
  }, 1_000);
  const start = async (name: MemoryBenchApp | "bare"): Promise<Sampled> => {
    const startedAt = Date.now();
    const proc =
      name === "bare"
        ? spawnProcess("bare worker", join(root, "bench"), process.execPath, [...NODE_FLAGS, "src/bare-worker.cjs"], { REDIS_URL: redisUrl, QUEUE_PREFIX: prefix })
        : spawnProcess(name, join(root, "apps", name), process.execPath, [...NODE_FLAGS, "dist/main.js"], { ...appEnv, PORT: String(await freePort()) });
    const s: Sampled = { name, proc, startedAt, startMs: 0, samples: [] };
    live.push(s);
    await proc.waitForOutput(READY[name], 120_000);
    s.startMs = Date.now() - startedAt;
    return s;
  };
  const pairs: Array<{ app: MemoryBenchApp; bare: Sampled; own: Sampled }> = [];
  try {
    // Every round's processes stay up until the last one has settled; starts never overlap.
    for (let round = 1; round <= rounds; round++) {
      for (const app of apps) {
        const bare = await start("bare");
        const own = await start(app);
        pairs.push({ app, bare, own });
        console.log(`[memory] round ${round}: ${app} ready in ${(own.startMs / 1000).toFixed(1)} s (bare ${(bare.startMs / 1000).toFixed(1)} s)`);
      }
    }
    const last = live.at(-1)!;
    const until = last.startedAt + settledSeconds * 1000 + 1_500;
    console.log(`[memory] ${live.length} processes up; sampling until ${settledSeconds} s after the last start (${Math.round((until - Date.now()) / 1000)} s)`);
    await new Promise((r) => setTimeout(r, Math.max(0, until - Date.now())));
  } finally {
    clearInterval(sampler);
    await Promise.all(
      live.map(async (s) => {
        s.proc.child.kill("SIGTERM");
        const timer = setTimeout(() => s.proc.child.kill("SIGKILL"), 20_000);
        await s.proc.exited;
        clearTimeout(timer);
      }),
    );
    await obliteratePrefix(prefix, redisUrl);
    await Promise.all([resend.close(), stripe.close(), daily.close()]);
    await server?.destroy();
    rmSync(spoolDir, { recursive: true, force: true });
  }

  const settled = [(settledSeconds - 10) * 1000, settledSeconds * 1000] as const;
  const fig = (v: number) => v.toFixed(1);
  const rows = [["app", "plateau MiB", "bare", "ratio", "settled MiB", "bare", "ratio", "start s", "bare s", "ratio"]];
  for (const app of apps) {
    const mine = pairs.filter((p) => p.app === app);
    const m = (f: (p: (typeof mine)[number]) => number) => median(mine.map(f));
    const plateau = (s: Sampled) => windowMedian(s, ...PLATEAU_MS);
    const calm = (s: Sampled) => windowMedian(s, ...settled);
    rows.push([
      app,
      fig(m((p) => plateau(p.own))),
      fig(m((p) => plateau(p.bare))),
      m((p) => plateau(p.own) / plateau(p.bare)).toFixed(2),
      fig(m((p) => calm(p.own))),
      fig(m((p) => calm(p.bare))),
      m((p) => calm(p.own) / calm(p.bare)).toFixed(2),
      fig(m((p) => p.own.startMs / 1000)),
      fig(m((p) => p.bare.startMs / 1000)),
      m((p) => p.own.startMs / p.bare.startMs).toFixed(2),
    ]);
  }
  console.log(`\nIdle RSS and start time, each app against a bare BullMQ worker started just before it (medians of ${rounds} rounds; ratio = median of the pairs' ratios):`);
  console.log(`node flags of every process: ${NODE_FLAGS.join(" ") || "none"}; load average ${loadavg().map((l) => l.toFixed(1)).join(" ")} at the end`);
  console.log(`plateau = median RSS 15–25 s after start; settled = median RSS ${settledSeconds - 10}–${settledSeconds} s after start; start = spawn → ready line`);
  console.log(table(rows));
}

main().catch((error: unknown) => {
  console.error("bench:memory failed:", error);
  process.exit(1);
});
