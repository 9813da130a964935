// The runtime's real-process tests share one way to start the fixture worker and to clean up after it.
import { resolve } from "node:path";
import { spawnScript, type AppProcess } from "@callastar/testing";

/** Starts crash-worker.ts (the production runtime with the fixture handlers), recorded in `procs`. */
export function spawnFixtureWorker(
  procs: AppProcess[],
  env: { DATABASE_URL: string; REDIS_URL: string; QUEUE_PREFIX: string } & Record<string, string>,
): AppProcess {
  const p = spawnScript(resolve(__dirname, "crash-worker.ts"), [], { NODE_ENV: "test", ...env });
  procs.push(p);
  return p;
}

/** SIGKILLs every recorded process still running (a test's leftovers), and forgets them all. */
export function killLeftovers(procs: AppProcess[]): void {
  for (const p of procs.splice(0)) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
}
