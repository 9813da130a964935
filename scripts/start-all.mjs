// `pnpm start`: every app with the environment as given (production config, validated by each app
// at boot). Each app is its own process, as in production; SIGTERM/SIGINT are forwarded, and the
// first app that exits with an error stops the others.
import { spawn } from "node:child_process";
import { APPS } from "./apps.mjs";

const children = APPS.map((app) => {
  const child = spawn("pnpm", ["--silent", "--filter", `@callastar/${app}`, "start"], { stdio: "inherit", env: process.env });
  child.on("exit", (code, signal) => {
    if (stopping) return;
    console.error(`${app} exited (${signal ?? code}); stopping the others`);
    stop("SIGTERM", code || 1);
  });
  return child;
});
let stopping = false;
function stop(signal, code = 0) {
  stopping = true;
  for (const c of children) if (c.exitCode === null) c.kill(signal);
  let left = children.length;
  for (const c of children) c.once("exit", () => --left === 0 && process.exit(code));
  setTimeout(() => process.exit(code || 1), 35_000).unref();
}
process.on("SIGTERM", () => stop("SIGTERM"));
process.on("SIGINT", () => stop("SIGTERM"));
