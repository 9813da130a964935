import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { NODE_FLAGS } from "./apps.mjs";
import { buildApps } from "./runtime-fixture";

// `pnpm bench:memory` starts the apps and its bare worker with NODE_FLAGS, as production does: the
// image's CMD and each app's `start` script must carry exactly those flags, or the bench measures
// something production does not run.
const repoRoot = resolve(__dirname, "..");
const node = ["exec", "node", ...NODE_FLAGS].join(" ");

it("the image's CMD starts every app with NODE_FLAGS", () => {
  const dockerfile = readFileSync(join(repoRoot, "Dockerfile"), "utf8");
  const cmd = JSON.parse(dockerfile.match(/^CMD (\[.*\])$/m)![1]!) as string[];
  expect(cmd.at(-1)).toBe(`${node} apps/\${APP}/dist/main.js`);
});

it.each(readdirSync(join(repoRoot, "apps")))("%s's start script runs node with NODE_FLAGS", (app) => {
  const manifest = JSON.parse(readFileSync(join(repoRoot, "apps", app, "package.json"), "utf8")) as { scripts: { start: string } };
  expect(manifest.scripts.start.endsWith(`; ${node} dist/main.js`)).toBe(true);
});

it("a bundle's launcher source-maps the bundle's stack traces, not those of node_modules", () => {
  buildApps();
  const dir = join(repoRoot, "apps/room-worker");
  // The app stops at once on its empty environment; at exit the child reports which maps it loaded.
  const report = `process.on("exit", () => { const m = require("node:module"); console.log(JSON.stringify({
    bundle: Boolean(m.findSourceMap(require.resolve("./dist/main.bundle.js"))),
    drizzle: Boolean(m.findSourceMap(require.resolve("drizzle-orm"))) })); }); require("./dist/main.js");`;
  const run = spawnSync(process.execPath, ["-e", report], { cwd: dir, env: { PATH: process.env.PATH ?? "" }, encoding: "utf8" });
  expect(run.status).toBe(1);
  expect(JSON.parse(run.stdout.trim().split("\n").at(-1)!)).toEqual({ bundle: true, drizzle: false });
}, 240_000);
