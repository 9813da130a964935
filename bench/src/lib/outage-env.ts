// The PostgreSQL outage benchmark's configuration, read once here.
import { benchServers, intList, words } from "./env";

const MODES = ["fast", "immediate"] as const;

/** Which stops bench/src/outage.bench.ts makes, and for how long the server stays down. */
export const outageBenchEnv = {
  redisUrl: benchServers.redisUrl,
  /** Seconds the server stays down, one scenario per value and per mode. */
  downSeconds: intList("BENCH_OUTAGE_SECONDS", [10, 60]),
  /** `pg_ctl stop` modes: fast (clean) and immediate (a crash). */
  modes: (() => {
    const given = words("BENCH_OUTAGE_MODES", ",");
    const bad = given.filter((m) => !(MODES as readonly string[]).includes(m));
    if (bad.length) throw new Error(`BENCH_OUTAGE_MODES must list fast and/or immediate (got ${bad.join(", ")})`);
    return given.length ? (given as Array<(typeof MODES)[number]>) : [...MODES];
  })(),
};
