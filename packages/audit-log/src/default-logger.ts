// The spec's module-level API (`import { logEmailSent } from "@callastar/audit-log"`): a default
// instance created on first use from DATABASE_URL (and LOG_SPOOL_DIR), or installed by the app.
import { createDb, type DbHandle } from "@callastar/db";
import { createAuditLogger, type AuditLogger } from "./audit-logger";
import { readLoggerEnv } from "./env";

let current: { logger: AuditLogger; ownedDb: DbHandle | undefined } | undefined;

/** The default audit logger, created from the environment on first use. Throws if DATABASE_URL is unusable. */
export function getDefaultAuditLogger(): AuditLogger {
  if (!current) {
    const env = readLoggerEnv();
    const db = createDb(env.databaseUrl, { applicationName: "callastar-audit-logger", max: 4 });
    current = { logger: createAuditLogger({ db, spoolDir: env.spoolDir }), ownedDb: db };
  }
  return current.logger;
}

/** Installs the app's own instance as the default (the app keeps ownership of its DbHandle). */
export function setDefaultAuditLogger(logger: AuditLogger): void {
  const previous = current;
  current = { logger, ownedDb: undefined };
  // An env-created instance being replaced is closed so its pool and held rows are not orphaned.
  if (previous?.ownedDb && previous.logger !== logger) void closeInstance(previous);
}

/** Waits until the default instance's rows are committed or spooled (true), or `timeoutMs` passed (false); true when none exists yet. */
export async function flushDefaultAuditLogger(timeoutMs?: number): Promise<boolean> {
  return current ? current.logger.flush(timeoutMs) : true;
}

/** Closes the default instance (flushing it) and, if it created its own pool, that pool; idempotent. */
export async function closeDefaultAuditLogger(): Promise<void> {
  const previous = current;
  current = undefined;
  if (previous) await closeInstance(previous);
}

async function closeInstance(instance: { logger: AuditLogger; ownedDb: DbHandle | undefined }): Promise<void> {
  await instance.logger.close();
  await instance.ownedDb?.close();
}
