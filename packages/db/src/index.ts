export * from "./schema";
export {
  createDb,
  reconnectDelaySeconds,
  DEFAULT_POOL_SIZE,
  DEFAULT_TIMEOUTS,
  DEFAULT_CONNECT_TIMEOUT_SECONDS,
  RECONNECT_DELAY_MAX_SECONDS,
  type Db,
  type DbHandle,
  type DbTimeouts,
  type Sql,
  type Schema,
  type CreateDbOptions,
} from "./client";
export { runMigrations, migrationsFolder } from "./migrate";
export { createId } from "./cuid";
