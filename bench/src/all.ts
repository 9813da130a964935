// `pnpm bench`: every benchmark, one after the other, each in its own process (each prints its
// figures beside the baseline it measured in the same run). Select some with BENCH_ONLY=logger,render.
import { spawnSync } from "node:child_process";
import { allBenchEnv } from "./lib/all-env";

const benches = ["render", "logger", "reminders", "peak", "cleanup", "outbox", "tracing", "outage", "memory"];
const { only, childEnv } = allBenchEnv;
const unknown = only.filter((name) => !benches.includes(name));
if (unknown.length) throw new Error(`BENCH_ONLY names unknown benchmarks: ${unknown.join(", ")} (known: ${benches.join(", ")})`);
const failed: string[] = [];
for (const name of benches.filter((b) => only.length === 0 || only.includes(b))) {
  console.log(`\n=== ${name} ===`);
  const r = spawnSync(process.execPath, ["--import", "tsx", `src/${name}.bench.ts`], {
    stdio: "inherit",
    env: childEnv,
  });
  if (r.status !== 0) failed.push(name);
}
if (failed.length) {
  console.error(`\nfailed: ${failed.join(", ")}`);
  process.exit(1);
}
