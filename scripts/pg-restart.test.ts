// Real PostgreSQL restarts under real app processes (a private server stopped immediately — a
// crash — or fast; not a proxy cut): every app resumes by itself once the server is back, a cron
// run due during a 60 s outage runs once afterwards, the dashboard answers 503 at once meanwhile,
// and SIGTERM during an outage ends each app cleanly within its deadline. A representative subset:
// `pnpm bench:outage` runs every app through every kind of stop and prints the figures.
import { log } from "@callastar/db";
import { eq } from "drizzle-orm";
import { testEnv, waitFor, type AppProcess } from "@callastar/testing";
import { cronRunsOf, probes, startOutageSystem, timeToDone, type OutageApp, type OutageSystem } from "../bench/src/lib/outage-system";

const APPS: OutageApp[] = ["maintenance-worker", "payout-worker", "outbox-relay", "dashboard"];
let s: OutageSystem;
const running = new Map<OutageApp, AppProcess>();

beforeAll(async () => {
  s = await startOutageSystem({ redisUrl: testEnv.redisUrl, env: { SHUTDOWN_TIMEOUT_MS: "15000" } });
  for (const app of APPS) running.set(app, await s.start(app));
}, 240_000);
afterAll(() => s?.close(), 60_000);

it("a crash of the server with 60 s down: every app resumes, the cron run due meanwhile runs once, the dashboard fails fast meanwhile", async () => {
  const p = probes(s, "crash60");
  for (const app of APPS) await p[app].seed();
  await s.server.stop("immediate");
  const down = Date.now();
  for (const app of APPS) if (!p[app].afterReturn) await p[app].give();
  const during = await s.dashboard("/api/logs?limit=1");
  expect(during.status).toBe(503);
  // Taken and put back many more times than its three attempts, the run is still waiting, not failed.
  const cronJob = async () => (await s.producer.queue("maintenance").getJobs(["delayed", "wait", "active", "failed", "completed"])).find((j) => j.name === "prune-job-outbox");
  const waiting = await waitFor("the cron run taken 6 times during the outage", async () => {
    const job = await cronJob();
    return job && job.attemptsStarted >= 6 ? job : undefined;
  }, { timeoutMs: 55_000 });
  expect(waiting.attemptsMade).toBe(0);
  expect(await waiting.getState()).not.toBe("failed");
  // The outage's length is the fault itself (the input), not a wait for something to happen.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, 60_000 - (Date.now() - down))));
  await s.server.start();
  const back = Date.now();
  for (const app of APPS) if (p[app].afterReturn) await p[app].give();
  for (const app of APPS) await timeToDone(p[app], back, 120_000);

  const job = (await cronJob())!;
  expect(job.attemptsMade).toBe(1); // the waits spent none: it completed on its first counted attempt
  const runs = await cronRunsOf(s, job.id!);
  expect(runs.map((r) => [r.queue, r.status])).toEqual([["maintenance", "SUCCEEDED"]]);
  const rows = await s.db.db.select().from(log).where(eq(log.id, `cron-run:${runs[0]!.id}`));
  expect(rows).toHaveLength(1);
  const errors = await s.db.sql`SELECT id FROM "Log" WHERE type = 'CRON_ERROR' AND context->>'jobId' = ${job.id!}`;
  expect(errors).toEqual([]);
}, 300_000);

it("SIGTERM during a fast stop: every app drains, spools what it could not write and exits 0 within its deadline", async () => {
  await s.server.stop("fast");
  try {
    const exits = await Promise.all(
      APPS.map(async (app) => {
        const proc = running.get(app)!;
        proc.child.kill("SIGTERM");
        return [app, await proc.exited] as const;
      }),
    );
    // An app past its SHUTDOWN_TIMEOUT_MS exits 1: 0 says each step ended within the deadline.
    expect(Object.fromEntries(exits)).toEqual(Object.fromEntries(APPS.map((app) => [app, 0])));
  } finally {
    await s.server.start();
  }
}, 120_000);
