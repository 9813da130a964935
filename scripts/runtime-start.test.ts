import { readdirSync } from "node:fs";
import { join } from "node:path";
import { spawnProcess } from "../packages/testing/src/index";
import { buildApps, exitCodeExplained, expectCleanShutdown, repoRoot, startRuntimeSystem, waitUntilReady, type RuntimeSystem } from "./runtime-fixture";

// Every documented way of starting the compiled apps in production, each with a SIGTERM sent to the
// outermost process: the app's own clean shutdown must run and the outer process must exit 0.
let system: RuntimeSystem;
// scripts/apps.mjs (what `pnpm start` runs) is an ES module jest cannot require: every app under apps/ is the same set.
const APPS = readdirSync(join(repoRoot, "apps"));
beforeAll(async () => {
  buildApps();
  system = await startRuntimeSystem("start");
}, 180_000);
afterAll(() => system?.close());

describe("starting the compiled apps", () => {
  it("node dist/main.js: SIGTERM runs the app's clean shutdown and it exits 0", async () => {
    const app = spawnProcess("email-worker", join(repoRoot, "apps/email-worker"), process.execPath, ["dist/main.js"], system.env);
    await waitUntilReady("email-worker", app);
    app.child.kill("SIGTERM");
    expect(await exitCodeExplained("email-worker", app)).toBe(0);
    expectCleanShutdown("email-worker", app.output());
  });

  it("pnpm --filter <app> start: a SIGTERM sent to pnpm reaches the app, and pnpm exits 0 after it", async () => {
    const pnpm = spawnProcess("pnpm start", repoRoot, "pnpm", ["--filter", "@callastar/payout-worker", "start"], system.env);
    await waitUntilReady("payout-worker", pnpm);
    pnpm.child.kill("SIGTERM");
    expect(await exitCodeExplained("pnpm --filter start", pnpm)).toBe(0);
    expectCleanShutdown("payout-worker", pnpm.output());
  });

  it("pnpm start: a SIGTERM sent to pnpm stops every app cleanly, then it exits 0", async () => {
    const pnpm = spawnProcess("pnpm start", repoRoot, "pnpm", ["start"], system.env);
    for (const app of APPS) await waitUntilReady(app, pnpm);
    pnpm.child.kill("SIGTERM");
    expect(await exitCodeExplained("pnpm start", pnpm)).toBe(0);
    for (const app of APPS) expectCleanShutdown(app, pnpm.output());
  }, 120_000);
});
