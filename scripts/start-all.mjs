// `pnpm start`: every app's compiled bundle (`pnpm build`) with plain node and the environment as
// given (production config, validated by each app at boot). Each app is its own process, as in
// production. SIGTERM/SIGINT are forwarded to every app, and this process exits once they all have:
// 0 when every app shut down cleanly. The first app that exits on its own stops the others.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { APPS, NODE_FLAGS } from "./apps.mjs";

const root = resolve(import.meta.dirname, "..");
const entry = (app) => join(root, "apps", app, "dist", "main.js");
const unbuilt = APPS.filter((app) => !existsSync(entry(app)));
if (unbuilt.length) {
  console.error(`not built: ${unbuilt.map((app) => `apps/${app}/dist/main.js`).join(", ")}; run pnpm build first`);
  process.exit(1);
}

let stopping = false;
let failed = false;
const children = APPS.map((app) => {
  // Direct children (no pnpm or shell between): a signal sent to them reaches the app itself.
  const child = spawn(process.execPath, [...NODE_FLAGS, entry(app)], { cwd: join(root, "apps", app), stdio: "inherit", env: process.env });
  child.on("exit", (code, signal) => {
    // An app exits 0 only after a clean shutdown, which a signal asked for: when pnpm or a terminal
    // signals the whole process group, an app may finish before this process handles its own signal.
    if (code !== 0) failed = true;
    if (stopping) return;
    console.error(`${app} exited (${signal ?? code}); stopping the others`);
    stop("SIGTERM");
  });
  return child;
});

function stop(signal) {
  stopping = true;
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill(signal);
}
// Exit after the last app: each runs its own shutdown, bounded by its SHUTDOWN_TIMEOUT_MS.
let left = children.length;
for (const c of children) c.once("exit", () => --left === 0 && process.exit(failed ? 1 : 0));
process.on("SIGTERM", () => stop("SIGTERM"));
process.on("SIGINT", () => stop("SIGTERM"));
