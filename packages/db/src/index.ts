export * from "./schema";
export { createDb, DEFAULT_POOL_SIZE, type Db, type DbHandle, type Sql, type Schema, type CreateDbOptions } from "./client";
export { runMigrations, migrationsFolder } from "./migrate";
export { createId } from "./cuid";
