import { readMigrateEnv } from "./env";
import { runMigrations } from "./migrate";

// Entry point for `pnpm db:migrate`; the only env it reads is DATABASE_URL.
let url: string;
try {
  url = readMigrateEnv().databaseUrl;
} catch (error) {
  console.error(`db:migrate: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}
const started = Date.now();
runMigrations(url).then(
  () => console.log(`migrations applied to ${url.replace(/\/\/[^@]*@/, "//***@")} in ${Date.now() - started} ms`),
  (error: unknown) => {
    console.error("migration failed:", error);
    process.exit(1);
  },
);
