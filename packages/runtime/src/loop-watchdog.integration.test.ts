import { createProcessLog } from "@callastar/process-log";
import { createTestDatabase, obliteratePrefix, testEnv, uniquePrefix, waitFor, type TestDatabase } from "@callastar/testing";
import type { BackgroundLoop } from "./loop-watchdog";
import { startWorkerApp, type WorkerApp } from "./worker-app";
import { fixtureBindings } from "./test-fixtures/bindings";

// A loop beside the workers that hangs (a step that never ends) while work is due, as the batch
// sender did on a dead connection: the worker app's watchdog restarts it, reports it on /metrics,
// and fails /healthz once a fresh loop hangs too.
let t: TestDatabase;
const prefix = uniquePrefix("watchdog");
const apps: WorkerApp[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await Promise.all(apps.map((a) => a.shutdown("test over")));
  await obliteratePrefix(prefix);
  await t.drop();
});

/** Loops that hang from their start while work is due, until `cure()`; then each new one makes progress. */
function hangingLoops() {
  let cured = false;
  const started: Array<{ stopped: boolean }> = [];
  const start = (): BackgroundLoop => {
    const self = { stopped: false };
    started.push(self);
    const since = Date.now();
    return {
      health: () => ({ lastProgressAt: cured ? Date.now() : since - 1, workDue: true }),
      // A hung loop does not stop either: the watchdog must not wait for it past its bound.
      stop: () => (cured ? Promise.resolve().then(() => void (self.stopped = true)) : new Promise<void>(() => undefined)),
    };
  };
  return { start, started, cure: () => (cured = true) };
}

const start = (background: Parameters<typeof startWorkerApp>[0]["background"]) =>
  startWorkerApp({
    name: "watchdog-test",
    databaseUrl: t.url,
    redis: testEnv.redisUrl,
    prefix,
    shutdownTimeoutMs: 3_000,
    bindings: fixtureBindings(),
    metricsPort: 0,
    metricsHost: "127.0.0.1",
    loopStallAfterMs: 600,
    background,
    backgroundName: "batch sender",
    exit: () => undefined,
    log: createProcessLog({ app: "watchdog-test", level: "silent" }),
  }).then((app) => (apps.push(app), app));

it("restarts a loop that makes no progress while work is due, fails /healthz when a fresh one hangs too, and recovers", async () => {
  const loops = hangingLoops();
  const app = await start(() => loops.start());
  const get = (path: string) => fetch(`http://127.0.0.1:${app.metricsPort}${path}`);
  await waitFor("a restart", () => loops.started.length >= 2, { timeoutMs: 15_000 });
  const unhealthy = await waitFor("/healthz failing", async () => {
    const res = await get("/healthz");
    return res.status === 503 ? ((await res.json()) as { status: string; loops: Array<Record<string, unknown>> }) : null;
  }, { timeoutMs: 15_000 });
  expect(unhealthy.status).toBe("stalled");
  expect(unhealthy.loops[0]).toMatchObject({ loop: "batch sender", stalled: true, healthy: false, workDue: true });
  const metrics = await (await get("/metrics")).text();
  expect(metrics).toMatch(/callastar_loop_stalled\{[^}]*loop="batch sender"[^}]*\} 1/);
  expect(metrics).toMatch(/callastar_loop_restarts_total\{[^}]*loop="batch sender"[^}]*\} [1-9]/);

  loops.cure();
  await waitFor("/healthz passing again", async () => (await get("/healthz")).status === 200, { timeoutMs: 15_000 });
  const restarts = loops.started.length;
  // Progressing now: checks (run here, synchronously) restart nothing.
  app.watchdog!.check();
  app.watchdog!.check();
  expect(app.watchdog!.status()).toMatchObject({ stalled: false, healthy: true });
  expect(loops.started.length).toBe(restarts);
}, 60_000);

