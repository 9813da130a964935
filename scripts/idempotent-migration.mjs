// Rewrites a drizzle-kit generated migration so that it is safe against a database that already has
// some of its objects (Call a Star's Prisma database): IF NOT EXISTS on tables and indexes,
// duplicate_object guards on types and constraints. Usage: node scripts/idempotent-migration.mjs drizzle/0000_x.sql
import { readFileSync, writeFileSync } from "node:fs";
const guard = (stmt) => `DO $$ BEGIN ${stmt.replace(/;\s*$/, "")}; EXCEPTION WHEN duplicate_object THEN null; END $$;`;
for (const file of process.argv.slice(2)) {
  const out = readFileSync(file, "utf8")
    .split("--> statement-breakpoint")
    .map((chunk) => {
      const s = chunk.trim();
      if (/^CREATE TYPE /.test(s) || /^ALTER TABLE .* ADD CONSTRAINT /s.test(s)) return "\n" + guard(s) + "\n";
      return chunk
        .replace(/^(\s*)CREATE TABLE "/m, '$1CREATE TABLE IF NOT EXISTS "')
        .replace(/^(\s*)CREATE (UNIQUE )?INDEX "/m, '$1CREATE $2INDEX IF NOT EXISTS "')
        .replace(/ADD COLUMN "/g, 'ADD COLUMN IF NOT EXISTS "');
    })
    .join("--> statement-breakpoint")
    .replace(/^\n/, "");
  writeFileSync(file, out);
}
