import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import { createDb } from "./client";

/** The repository's `drizzle/` folder, found by walking up from this file. */
export function migrationsFolder(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, "drizzle", "meta", "_journal.json");
    if (existsSync(candidate)) return join(dir, "drizzle");
    dir = dirname(dir);
  }
  return resolve(__dirname, "../../../drizzle");
}

/** Applies every pending migration; already-applied ones are skipped, so re-running is safe. */
export async function runMigrations(url: string): Promise<void> {
  // A migration may build an index over a large table, and waits its turn behind another migrator.
  const handle = createDb(url, { max: 1, applicationName: "callastar-migrate", timeouts: { statementMs: 0, lockMs: 0 } });
  try {
    await handle.sql`SELECT pg_advisory_lock(724131877)`; // one migrator at a time across copies
    await migrate(handle.db, { migrationsFolder: migrationsFolder() });
  } finally {
    await handle.close();
  }
}
