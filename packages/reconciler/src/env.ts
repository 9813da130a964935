// The only place the audit:verify command reads the environment.

/** DATABASE_URL, required and a postgres:// URL; throws naming the variable otherwise. */
export function readReconcilerEnv(source: NodeJS.ProcessEnv = process.env): { databaseUrl: string } {
  const databaseUrl = source.DATABASE_URL?.trim();
  if (!databaseUrl) throw new Error("DATABASE_URL is not set: audit:verify needs the database to check");
  let protocol: string;
  try {
    protocol = new URL(databaseUrl).protocol;
  } catch {
    throw new Error("DATABASE_URL is not a valid URL");
  }
  if (protocol !== "postgres:" && protocol !== "postgresql:") throw new Error(`DATABASE_URL must be a postgres:// URL (got ${protocol})`);
  return { databaseUrl };
}
