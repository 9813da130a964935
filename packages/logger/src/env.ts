// The only place the logger reads the environment: the module-level default instance's config.

/** Configuration of the default audit logger, read from the environment on first use. */
export interface LoggerEnv {
  databaseUrl: string;
  spoolDir: string | undefined;
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
