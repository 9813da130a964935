import { z } from "zod";
import { loadEnv, workerEnvShape } from "./load-env";
import { describeStallSettings, recoveryWindowMs, stallSettings, STALL_DEFAULTS } from "./stall-settings";
import { workerOptionsFromEnv } from "./worker-app";

const base = { DATABASE_URL: "postgres://u@h/db", REDIS_URL: "redis://h:6379" };
const load = (extra: Record<string, string> = {}) => loadEnv(z.object(workerEnvShape), { ...base, ...extra });

it("every worker app gets the stall defaults, and a crash is recovered 15–45 s later at those", () => {
  const options = workerOptionsFromEnv(load());
  expect(stallSettings(options)).toEqual(STALL_DEFAULTS);
  expect(recoveryWindowMs(STALL_DEFAULTS)).toEqual({ minMs: 15_000, maxMs: 45_000 });
  expect(describeStallSettings(STALL_DEFAULTS)).toContain("15–45 s");
});

it("reads the three stall variables, and refuses a bad one by name", () => {
  const options = workerOptionsFromEnv(load({ WORKER_LOCK_DURATION_MS: "2000", WORKER_STALLED_INTERVAL_MS: "1000", WORKER_MAX_STALLED_COUNT: "3" }));
  expect(stallSettings(options)).toEqual({ lockDurationMs: 2000, stalledIntervalMs: 1000, maxStalledCount: 3 });
  expect(() => load({ WORKER_MAX_STALLED_COUNT: "-1" })).toThrow(/WORKER_MAX_STALLED_COUNT: must be >= 0/);
  expect(() => load({ WORKER_STALLED_INTERVAL_MS: "soon" })).toThrow(/WORKER_STALLED_INTERVAL_MS/);
});
