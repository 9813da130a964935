// The only place the chaos harness reads process.env: parsed once, each bad value named.
const source = process.env;

function number(name: string, fallback: number, min: number): number {
  const raw = source[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min) throw new RangeError(`${name} must be a number >= ${min} (got "${raw}")`);
  return value;
}

const TOPOLOGIES = ["single", "sentinel", "cluster"] as const;
function topology(name: string): (typeof TOPOLOGIES)[number] {
  const raw = source[name] || "single";
  const found = TOPOLOGIES.find((t) => t === raw);
  if (!found) throw new RangeError(`${name} must be one of ${TOPOLOGIES.join(", ")} (got "${raw}")`);
  return found;
}

/** The harness' configuration. */
export const chaosEnv = {
  /** Length of the chaos phase (faults on), in seconds. */
  seconds: number("CHAOS_SECONDS", 120, 10),
  /** Bound of the quiet phase: how long to wait for everything to settle before calling it lost. */
  settleSeconds: number("CHAOS_SETTLE_SECONDS", 150, 10),
  /** The Redis the run stands on: one server, a Sentinel set (its primary is the one killed), or a 3-master Cluster (one master killed). */
  redis: topology("CHAOS_REDIS"),
  /** Copies of each worker app. */
  copies: number("CHAOS_COPIES", 3, 1),
  /** Seed of the stand-ins' fault draws and of the choice of victims; printed so a run can be replayed. */
  seed: number("CHAOS_SEED", Math.floor(Math.random() * 2 ** 31), 0),
  /** Keep the database, the Redis data and the process logs after the run (for debugging). */
  keep: source.CHAOS_KEEP === "1" || source.CHAOS_KEEP === "true",
  /** What the app processes inherit from this one: the path and home only, as in production. */
  childBase: { PATH: source.PATH ?? "/usr/bin:/bin", HOME: source.HOME ?? "/tmp" },
};

