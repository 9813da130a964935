import { parseArgs } from "node:util";

/** What `pnpm audit:verify` was asked for. */
export interface CliOptions {
  since?: Date;
  until?: Date;
  repair: boolean;
  json: boolean;
}

/** A command-line mistake: the CLI prints its message and exits 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

export const USAGE = "usage: pnpm audit:verify [--since ISO] [--until ISO] [--repair] [--json]";

function isoDate(flag: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  // Date.parse accepts many informal forms; an ISO 8601 date or date-time is what the contract says.
  const d = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) ? new Date(value) : new Date(NaN);
  if (Number.isNaN(d.getTime())) throw new UsageError(`--${flag} must be an ISO 8601 date or date-time (got "${value}")`);
  return d;
}

/** Parses the CLI's arguments; throws UsageError naming the flag for anything it does not accept. */
export function parseCliArgs(argv: readonly string[]): CliOptions {
  let values: { since?: string; until?: string; repair?: boolean; json?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { since: { type: "string" }, until: { type: "string" }, repair: { type: "boolean" }, json: { type: "boolean" } },
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
  return { ...(since ? { since } : {}), ...(until ? { until } : {}), repair: values.repair ?? false, json: values.json ?? false };
}
