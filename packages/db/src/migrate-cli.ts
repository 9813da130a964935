import { migrateEnv } from "./env";
import { runMigrations } from "./migrate";

// Entry point for `pnpm db:migrate`; the only env it reads is DATABASE_URL.
const url = migrateEnv.databaseUrl;
const started = Date.now();
runMigrations(url).then(
  () => console.log(`migrations applied to ${url.replace(/\/\/[^@]*@/, "//***@")} in ${Date.now() - started} ms`),
  (error: unknown) => {
    console.error("migration failed:", error);
    process.exit(1);
  },
);
