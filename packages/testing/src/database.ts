import { createHash, randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import postgres from "postgres";
import { createDb, migrationsFolder, runMigrations, type DbHandle } from "@callastar/db";
import { testEnv } from "./env";

/** URL of another database on the same server as `base`. */
export function withDatabase(base: string, name: string): string {
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The template's name changes whenever a migration file changes, so a stale template is never used. */
export function templateName(): string {
  const dir = migrationsFolder();
  const hash = createHash("sha1");
  for (const f of readdirSync(dir).filter((f) => f.endsWith(".sql")).sort()) hash.update(readFileSync(join(dir, f)));
  return `callastar_tpl_${hash.digest("hex").slice(0, 12)}`;
}

/** Creates and migrates the template database once (jest globalSetup); concurrent callers wait on a lock. */
export async function ensureTemplate(adminUrl = testEnv.adminDatabaseUrl): Promise<string> {
  const name = templateName();
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin`SELECT pg_advisory_lock(4242001)`;
    const [row] = await admin`SELECT 1 AS ok FROM pg_database WHERE datname = ${name}`;
    if (!row) {
      const building = `${name}_build_${process.pid}`;
      await admin.unsafe(`DROP DATABASE IF EXISTS "${building}"`);
      await admin.unsafe(`CREATE DATABASE "${building}"`);
      await runMigrations(withDatabase(adminUrl, building));
      await admin.unsafe(`ALTER DATABASE "${building}" RENAME TO "${name}"`);
    }
    await admin`SELECT pg_advisory_unlock(4242001)`;
  } finally {
    await admin.end();
  }
  return name;
}

export interface TestDatabase extends DbHandle {
  url: string;
  name: string;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

/** A fresh, migrated database cloned from the template: one per test file. */
export async function createTestDatabase(adminUrl = testEnv.adminDatabaseUrl): Promise<TestDatabase> {
  const template = await ensureTemplate(adminUrl);
  const name = `callastar_t_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.unsafe(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
        break;
      } catch (error) {
        // Another clone in progress holds the template for a moment.
        if (attempt >= 20 || !String(error).includes("being accessed")) throw error;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  } finally {
    await admin.end();
  }
  const url = withDatabase(adminUrl, name);
  const handle = createDb(url, { max: 5, applicationName: "callastar-test" });
  return {
    ...handle,
    url,
    name,
    async drop() {
      await handle.close();
      const a = postgres(adminUrl, { max: 1, onnotice: () => {} });
      try {
        await a.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await a.end();
      }
    },
  };
}
