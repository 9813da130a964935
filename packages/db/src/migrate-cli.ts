import { runMigrations } from "./migrate";

// Entry point for `pnpm db:migrate`; the only env it reads is DATABASE_URL.
const url = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/callastar";
const started = Date.now();
runMigrations(url).then(
  () => console.log(`migrations applied to ${url.replace(/\/\/[^@]*@/, "//***@")} in ${Date.now() - started} ms`),
  (error: unknown) => {
    console.error("migration failed:", error);
    process.exit(1);
  },
);
