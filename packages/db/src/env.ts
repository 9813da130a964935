// The migration command's only configuration, read once here.
export const migrateEnv = {
  databaseUrl: process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/callastar",
};
