// The render benchmark's configuration, read once here.
import { int, text } from "./env";

/** Scale of bench/src/render.bench.ts, and the NODE_ENV it reports (React is slower outside production). */
export const renderBenchEnv = {
  renders: int("BENCH_RENDERS", 1_000),
  /** Batches of 100 renders per variant in the production-peak section. */
  peakBatches: int("BENCH_PEAK_BATCHES", 20),
  nodeEnv: text("NODE_ENV"),
};
