import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnProcess } from "../packages/testing/src/index";
import { buildApps, repoRoot, startRuntimeSystem, waitUntilReady, type RuntimeSystem } from "./runtime-fixture";

// Each compiled app, started with production defaults (no OTEL_*, no METRICS_PORT), idle, then
// stopped: over its whole life it must not load what only some work needs (the SDKs load when a
// payout is paid or an email rendered or sent, the Redis lock with the first fan-out, Bull Board
// with its first page, OpenTelemetry when tracing is on, prom-client when metrics are served). A
// preloaded probe lists every package the real process resolved.
const APPS = readdirSync(join(repoRoot, "apps"));
const NEVER_IDLE = [/^@opentelemetry\//, /^bullmq-otel$/, /^prom-client$/, /^@react-email\//, /^react(-dom)?$/, /^stripe$/, /^resend$/, /^@bull-board\//, /^@sesamecare-oss\/redlock$/];
// The web server belongs to the dashboard alone (Bull Board loads at the first request to the board).
const DASHBOARD_ONLY = [/^express$/];

let system: RuntimeSystem;
let dir: string;
beforeAll(async () => {
  buildApps();
  system = await startRuntimeSystem("idle-modules");
  dir = mkdtempSync(join(tmpdir(), "callastar-idle-modules-"));
}, 180_000);
afterAll(async () => {
  await system?.close();
  rmSync(dir, { recursive: true, force: true });
});

it.each(APPS)("%s, idle, loads none of the modules only some work needs", async (app) => {
  const out = join(dir, `${app}.json`);
  const probe = join(repoRoot, "scripts/test-fixtures/module-probe.cjs");
  const proc = spawnProcess(app, join(repoRoot, "apps", app), process.execPath, ["--require", probe, "dist/main.js"], { ...system.env, MODULE_PROBE_OUT: out });
  await waitUntilReady(app, proc);
  proc.child.kill("SIGTERM");
  expect(await proc.exited).toBe(0);
  const loaded = JSON.parse(readFileSync(out, "utf8")) as string[];
  // The probe saw the process' real dependencies.
  expect(loaded).toEqual(expect.arrayContaining(["bullmq", "ioredis", "postgres"]));
  const forbidden = app === "dashboard" ? NEVER_IDLE : [...NEVER_IDLE, ...DASHBOARD_ONLY];
  expect(loaded.filter((name) => forbidden.some((re) => re.test(name)))).toEqual([]);
}, 90_000);
