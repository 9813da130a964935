// `pnpm bench`'s configuration, read once here.
import { words } from "./env";

/** Which benchmarks bench/src/all.ts runs, and the environment each runs with. */
export const allBenchEnv = {
  /** BENCH_ONLY=logger,render: only those; all when unset. */
  only: words("BENCH_ONLY", ","),
  /** This process's environment, passed on to each benchmark, in production mode as deployed. */
  childEnv: { ...process.env, NODE_ENV: "production" },
};
