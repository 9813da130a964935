import { parseArgs } from "node:util";
import type { IntentBounds } from "./intent-checks";

/** What `pnpm audit:verify` was asked for. */
export interface CliOptions {
  since?: Date;
  until?: Date;
  repair: boolean;
  json: boolean;
  /** Only the bounds given on the command line (the rest keep their defaults). */
  bounds: Partial<IntentBounds>;
}

/** A command-line mistake: the CLI prints its message and exits 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

export const USAGE =
  "usage: pnpm audit:verify [--since ISO] [--until ISO] [--repair] [--json] " +
  "[--reminder-lead-minutes N] [--reminder-grace-minutes N] [--pending-max-minutes N] [--outbox-max-minutes N]";

// Each intent bound's flag (minutes).
const BOUND_FLAGS = {
  "reminder-lead-minutes": "reminderLeadMinutes",
  "reminder-grace-minutes": "reminderGraceMinutes",
  "pending-max-minutes": "pendingMaxMinutes",
  "outbox-max-minutes": "outboxMaxMinutes",
} as const satisfies Record<string, keyof IntentBounds>;

function minutes(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(n > 0)) throw new UsageError(`--${flag} must be a positive number of minutes (got "${value}")`);
  return n;
}

function isoDate(flag: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  // Date.parse accepts many informal forms; an ISO 8601 date or date-time is what the contract says.
  const d = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) ? new Date(value) : new Date(NaN);
  if (Number.isNaN(d.getTime())) throw new UsageError(`--${flag} must be an ISO 8601 date or date-time (got "${value}")`);
  return d;
}

/** Parses the CLI's arguments; throws UsageError naming the flag for anything it does not accept. */
export function parseCliArgs(argv: readonly string[]): CliOptions {
  let values: { since?: string; until?: string; repair?: boolean; json?: boolean } & Partial<Record<keyof typeof BOUND_FLAGS, string>>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        since: { type: "string" },
        until: { type: "string" },
        repair: { type: "boolean" },
        json: { type: "boolean" },
        ...(Object.fromEntries(Object.keys(BOUND_FLAGS).map((flag) => [flag, { type: "string" }])) as Record<keyof typeof BOUND_FLAGS, { type: "string" }>),
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const since = isoDate("since", values.since);
  const until = isoDate("until", values.until);
  if (since && until && since.getTime() >= until.getTime()) throw new UsageError(`--since (${values.since}) must be before --until (${values.until})`);
  if (since && !until && since.getTime() >= Date.now()) throw new UsageError(`--since (${values.since}) is in the future`);
  const bounds: Partial<IntentBounds> = {};
  for (const [flag, key] of Object.entries(BOUND_FLAGS) as Array<[keyof typeof BOUND_FLAGS, keyof IntentBounds]>) {
    const value = minutes(flag, values[flag]);
    if (value !== undefined) bounds[key] = value;
  }
  return { ...(since ? { since } : {}), ...(until ? { until } : {}), repair: values.repair ?? false, json: values.json ?? false, bounds };
}
