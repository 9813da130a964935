// The render benchmark's configuration, read once here.
import { int, text } from "./env";

/** Scale of bench/src/render.bench.ts, and the NODE_ENV it reports (React is slower outside production). */
export const renderBenchEnv = {
  renders: int("BENCH_RENDERS", 1_000),
  nodeEnv: text("NODE_ENV"),
};
