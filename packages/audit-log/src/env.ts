// The only place the logger reads the environment: the module-level default instance's config.

/** Configuration of the default audit logger, read from the environment on first use. */
export interface LoggerEnv {
  databaseUrl: string;
  spoolDir: string | undefined;
}

/** Default spool lease: a file untouched this long is taken over (LOG_SPOOL_LEASE_MS). */
export const DEFAULT_SPOOL_LEASE_MS = 30_000;
/** Shortest lease accepted: the owner refreshes it every lease/6, at least every 100 ms. */
export const MIN_SPOOL_LEASE_MS = 600;

/**
 * Reads LOG_SPOOL_LEASE_MS for every logger that is not given `spoolLeaseMs` (apps pass only
 * LOG_SPOOL_DIR through their own env schemas); throws naming the variable when invalid.
 */
export function readSpoolLeaseMs(source: NodeJS.ProcessEnv = process.env): number {
  const raw = source.LOG_SPOOL_LEASE_MS?.trim();
  if (!raw) return DEFAULT_SPOOL_LEASE_MS;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < MIN_SPOOL_LEASE_MS) {
    throw new Error(`LOG_SPOOL_LEASE_MS must be an integer number of milliseconds ≥ ${MIN_SPOOL_LEASE_MS} (got "${raw}")`);
  }
  return value;
}

/** Reads DATABASE_URL (required) and LOG_SPOOL_DIR (optional); throws naming the variable when invalid. */
export function readLoggerEnv(source: NodeJS.ProcessEnv = process.env): LoggerEnv {
  const databaseUrl = source.DATABASE_URL?.trim();
  if (!databaseUrl) throw new Error("DATABASE_URL is not set: the default audit logger needs it");
  let protocol: string;
  try {
    protocol = new URL(databaseUrl).protocol;
  } catch {
    throw new Error("DATABASE_URL is not a valid URL");
  }
  if (protocol !== "postgres:" && protocol !== "postgresql:") {
    throw new Error(`DATABASE_URL must be a postgres:// URL (got ${protocol})`);
  }
  const spoolDir = source.LOG_SPOOL_DIR?.trim() || undefined;
  return { databaseUrl, spoolDir };
}
