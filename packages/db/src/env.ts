// The migration command's only configuration, read once here. No default: with DATABASE_URL unset,
// `pnpm db:migrate` would otherwise migrate whatever database listens on the default address.
export function readMigrateEnv(source: Record<string, string | undefined> = process.env): { databaseUrl: string } {
  const url = source.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL: required (the database to migrate, e.g. postgres://postgres@127.0.0.1:5432/callastar)");
  if (!/^postgres(ql)?:\/\//.test(url)) throw new Error("DATABASE_URL: must be a postgres:// URL");
  return { databaseUrl: url };
}
