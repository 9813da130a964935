// `pnpm bench`: every benchmark, one after the other, each in its own process (each prints its
// figures beside the baseline it measured in the same run). Select some with BENCH_ONLY=logger,render.
import { spawnSync } from "node:child_process";

const benches = ["render", "logger", "reminders", "peak", "cleanup", "outbox", "tracing"];
const only = (process.env.BENCH_ONLY ?? "").split(",").filter(Boolean);
const failed: string[] = [];
for (const name of benches.filter((b) => only.length === 0 || only.includes(b))) {
  console.log(`\n=== ${name} ===`);
  const r = spawnSync(process.execPath, ["--import", "tsx", `src/${name}.bench.ts`], {
    stdio: "inherit",
    env: { ...process.env, NODE_ENV: "production" },
  });
  if (r.status !== 0) failed.push(name);
}
if (failed.length) {
  console.error(`\nfailed: ${failed.join(", ")}`);
  process.exit(1);
}
